//go:build duckdb_arrow

package pipeline_test

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ocmap/ocmap/internal/testdb"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/layout"
	"github.com/ocmap/ocmap/pipeline/store"
	"github.com/ocmap/ocmap/schemas"
)

// piiNeedles are the personal values of the privacy fixtures; none may be
// stored, in any spelling the fixtures use.
var piiNeedles = []string{"35202-1234567-1", "1234567", "0300-1234567", "0321-7654321", "7654321",
	"a.b@example.pk", "ali.khan@example.com", "example.pk", "example.com"}

// piiCanonical holds personal data in every free-text column of the
// canonical layout, and in a row that is rejected.
const piiCanonical = header + "\n" +
	`P1,drug_trafficking,heroin,2024-01-10,30.5,70.5,,informant 0321-7654321,1,,"CNIC 35202-1234567-1, phone 0300-1234567, mail a.b@example.pk"` + "\n" +
	`P2,drug_trafficking,tip from 0300-1234567,2024-01-11,,,alpha,ali.khan@example.com,1,,by name` + "\n" +
	`P3,drug_trafficking,heroin,2024-13-01,30.5,70.5,,ANF,1,,"rejected, CNIC 35202-1234567-1 a.b@example.pk"` + "\n" +
	// A complaint filed under the complainant's mobile number, sent twice
	// (a same-id link needs the same date).
	`0300-1234567,cybercrime,online_fraud,2024-01-12,30.5,70.5,,PTA,,5000,complaint` + "\n" +
	`0300-1234567,cybercrime,online_fraud,2024-01-12,30.5,70.5,,PTA,,5000,complaint again` + "\n"

// piiLayout is a source layout whose every free-text field is read.
const piiLayout = `name: test-pii
title: test pii
category: drug_trafficking
match: [Id, Date, Notes]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: Id}
  occurred_on: {column: Date}
  lat: {column: Lat}
  lon: {column: Lon}
  place: {column: Place}
  source: {column: Source}
  source_ref: {column: Ref}
  statute: {column: Statute}
  section: {column: Section}
  description: {column: Notes}
  substance: {column: Drug}
  seizing_agency: {column: Agency}
  route: {column: Route}
  origin: {column: Origin}
`

const piiLayoutFile = "Id,Date,Lat,Lon,Place,Source,Ref,Statute,Section,Notes,Drug,Agency,Route,Origin\n" +
	`a.b@example.pk,2024-02-01,30.5,70.5,house of 0300-1234567,informant 0321-7654321,ali.khan@example.com,Act 0300-1234567,9(c),` +
	`"CNIC 35202-1234567-1, phone 0300-1234567, mail a.b@example.pk",heroin,a.b@example.pk,via 0321-7654321,CNIC 35202-1234567-1` + "\n" +
	`L2,2024-02-31,30.5,70.5,x,y,z,,,"rejected, 0300-1234567",heroin,,,` + "\n"

const piiContextLayout = `name: test-pii-context
title: test pii context
kind: context
event_type: attack
match: [No, When, Kind]
dates: {formats: [yyyy-mm-dd]}
fields:
  incident_id: {column: No}
  event_type: {column: Kind}
  occurred_on: {column: When}
  lat: {column: Lat}
  lon: {column: Lon}
  place: {column: Place}
  source: {column: Source}
  description: {column: Notes}
`

const piiContextFile = "No,When,Kind,Lat,Lon,Place,Source,Notes\n" +
	`35202-1234567-1,2024-03-01,attack 0300-1234567,30.5,71.5,near ali.khan@example.com,informant 0321-7654321,CNIC 35202-1234567-1` + "\n"

// TestNoPersonalDataStored ingests personal data in every free-text field
// of the canonical layout, an incidents layout and a context layout, then
// reads every VARCHAR column of every table: no CNIC, phone number or e-mail
// address is stored, and the tags that replace them are.
func TestNoPersonalDataStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rep, err := pipeline.Ingest(ctx, f.config(writeFile(t, f.dir, "canonical.csv", piiCanonical)))
	if err != nil {
		t.Fatal(err)
	}
	// The report counts the ids it hashed (the complaint's two records).
	if got := rep.Files[0].HashedIDs; got != 2 {
		t.Errorf("canonical file: %d hashed ids reported, want 2", got)
	}
	for _, l := range []struct {
		yaml, name, text string
		hashed           int64
	}{
		{piiLayout, "layout.csv", piiLayoutFile, 1},
		{piiContextLayout, "context.csv", piiContextFile, 1},
	} {
		lay, err := layout.Parse("test.yaml", []byte(l.yaml))
		if err != nil {
			t.Fatal(err)
		}
		cfg := f.config(writeFile(t, f.dir, l.name, l.text))
		cfg.Layout = lay
		rep, err := pipeline.Ingest(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Files[0].HashedIDs; got != l.hashed {
			t.Errorf("%s: %d hashed ids reported, want %d", l.name, got, l.hashed)
		}
	}
	// Columns that hold paths and digests, whose long digits are not
	// personal (the test's temporary directory has a random number).
	lineage := []string{"source_file", "files", "boundaries", "value", "sha256", "boundaries_sha256", "person_keys"}
	query(t, f.db, func(db *sql.DB) {
		if got, want := scanInt(t, db, `SELECT count(*) FROM incidents`), int64(5); got != want {
			t.Fatalf("%d incidents, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM context_events`), int64(1); got != want {
			t.Fatalf("%d context events, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(*) FROM rejects WHERE raw IS NOT NULL`), int64(2); got != want {
			t.Fatalf("%d rejects with raw text, want %d", got, want)
		}
		cols, err := db.Query(`SELECT c.table_name, c.column_name FROM information_schema.columns c
			JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
			WHERE t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR' ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		type column struct{ table, name string }
		var all []column
		for cols.Next() {
			var c column
			if err := cols.Scan(&c.table, &c.name); err != nil {
				t.Fatal(err)
			}
			all = append(all, c)
		}
		cols.Close()
		if len(all) < 40 {
			t.Fatalf("only %d VARCHAR columns found", len(all))
		}
		tags := map[string]int{}
		for _, c := range all {
			rows, err := db.Query(`SELECT DISTINCT "` + c.name + `" FROM "` + c.table + `" WHERE "` + c.name + `" IS NOT NULL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				for _, needle := range piiNeedles {
					if strings.Contains(v, needle) {
						t.Errorf("%s.%s holds %q: %q", c.table, c.name, needle, v)
					}
				}
				// An id's hash may have hex digits that Scrub takes for
				// a number (one in 50, with the database's random key).
				hash := c.name == "incident_id" && schemas.IsIDHash(v)
				if !slices.Contains(lineage, c.name) && !hash && schemas.Scrub(v) != v {
					t.Errorf("%s.%s holds personal data: %q", c.table, c.name, v)
				}
				for _, tag := range []string{"[CNIC]", "[PHONE]", "[EMAIL]"} {
					if strings.Contains(v, tag) {
						tags[c.table+"."+c.name]++
					}
				}
			}
			rows.Close()
		}
		// The tags are where the personal data was: the rows were kept.
		for _, want := range []string{"incidents.description", "incidents.source", "incidents.subcategory", "incidents.place",
			"incidents.source_ref", "incidents.statute", "drug_trafficking.seizing_agency", "drug_trafficking.route",
			"drug_trafficking.origin", "context_events.event_type", "context_events.place", "context_events.source",
			"context_events.description", "rejects.raw", "district_month_sources.source"} {
			if tags[want] == 0 {
				t.Errorf("%s has no scrubbed value; tagged columns: %v", want, tags)
			}
		}
		// Ids that hold personal data are keyed hashes, and the two records
		// of one complaint are still one incident.
		if got := testdb.Rows(t, db, `SELECT category, regexp_matches(incident_id, '^h:[0-9a-f]{32}$'), count(*), count(DISTINCT incident_id)
			FROM incidents WHERE incident_id NOT IN ('P1', 'P2') GROUP BY ALL ORDER BY ALL`); !reflect.DeepEqual(got,
			[]string{"cybercrimetrue 2 1", "drug_traffickingtrue 1 1"}) {
			t.Errorf("hashed ids (category, hashed, rows, ids): %q", got)
		}
		if got := testdb.Rows(t, db, `SELECT regexp_matches(incident_id, '^h:[0-9a-f]{32}$') FROM context_events`); !reflect.DeepEqual(got, []string{"true"}) {
			t.Errorf("context event id hashed: %q", got)
		}
		if got := testdb.Rows(t, db, `SELECT link, count(DISTINCT group_id) FROM incident_groups JOIN incidents USING (run_id, source_file, source_line)
			WHERE category = 'cybercrime' GROUP BY ALL`); !reflect.DeepEqual(got, []string{"same_id1"}) {
			t.Errorf("the complaint's records link as %q, want one same_id group", got)
		}
		var desc string
		if err := db.QueryRow(`SELECT description FROM incidents WHERE incident_id = 'P1'`).Scan(&desc); err != nil {
			t.Fatal(err)
		}
		if got, want := desc, "CNIC [CNIC], phone [PHONE], mail [EMAIL]"; got != want {
			t.Errorf("P1 description %q, want %q", got, want)
		}
	})
}

// TestIngestOlderDatabaseHashesIDs reads a complaint filed under a mobile
// number into a database made before ids were hashed, which holds the
// number as given and no id key, then the same complaint again in a
// cumulative return: the first run of the new ocmap hashes the stored id,
// so the number leaves the database and the two records are still one
// incident.
func TestIngestOlderDatabaseHashesIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const complaint = "cybercrime,online_fraud,2024-01-12,30.5,70.5,,PTA,,5000,complaint"
	f.ingest(t, writeFile(t, f.dir, "jan.csv", header+"\nC1,"+complaint+"\n"))
	// What an older ocmap kept: the number as given, and no key.
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE incidents SET incident_id = '0300-1234567'`, `DELETE FROM meta WHERE key = 'id_key'`} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	f.ingest(t, writeFile(t, f.dir, "jan-feb.csv", header+"\n0300-1234567,"+complaint+
		"\nC2,cybercrime,online_fraud,2024-02-03,30.5,70.5,,PTA,,900,another\n"))
	query(t, f.db, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT parse_filename(source_file), regexp_matches(incident_id, '^h:[0-9a-f]{32}$') FROM incidents
			WHERE incident_id <> 'C2' ORDER BY 1`)
		if want := []string{"jan-feb.csvtrue", "jan.csvtrue"}; !reflect.DeepEqual(got, want) {
			t.Errorf("the complaint's ids hashed: %q, want %q", got, want)
		}
		if got, want := scanInt(t, db, `SELECT count(DISTINCT incident_id) FROM incidents`), int64(2); got != want {
			t.Errorf("%d ids, want %d", got, want)
		}
		if got, want := scanInt(t, db, `SELECT sum(incidents) FROM district_month`), int64(2); got != want {
			t.Errorf("%d incidents, want %d (the complaint twice, and another)", got, want)
		}
	})
}

// TestRebuildOlderDatabaseHashesIDs: `ocmap rebuild` of a database made
// before ids were hashed hashes them too, as its next ingest would.
func TestRebuildOlderDatabaseHashesIDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const complaint = "cybercrime,online_fraud,2024-01-12,30.5,70.5,,PTA,,5000,complaint"
	f.ingest(t, writeFile(t, f.dir, "jan.csv", header+"\nC1,"+complaint+"\nC2,"+complaint+"\n"))
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE incidents SET incident_id = '0300-1234567' WHERE incident_id = 'C1'`, `DELETE FROM meta WHERE key = 'id_key'`} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if err := pipeline.Rebuild(ctx, f.db, store.Options{MemoryLimit: "256MB", Threads: 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	query(t, f.db, func(db *sql.DB) {
		got := testdb.Rows(t, db, `SELECT regexp_matches(incident_id, '^h:[0-9a-f]{32}$'), incident_id = 'C2' FROM incidents ORDER BY ALL`)
		if want := []string{"false true", "true false"}; !reflect.DeepEqual(got, want) {
			t.Errorf("ids (hashed, C2): %q, want %q", got, want)
		}
		if got := scanInt(t, db, `SELECT count(*) FROM meta WHERE key = 'id_key'`); got != 1 {
			t.Errorf("%d id keys, want 1", got)
		}
	})
}

// TestIngestWarnsPersonalFileName: a file named after a complainant's
// phone number is ingested (its rows are sound) with a warning to rename
// it, as its name is kept and shown; a plain name gets none.
func TestIngestWarnsPersonalFileName(t *testing.T) {
	f := newFixture(t)
	const rows = header + "\nP1,drug_trafficking,heroin,2024-01-10,30.5,70.5,,ANF,1,,seized\n"
	named := writeFile(t, f.dir, "complainant_03001234567.csv", rows)
	rep, err := pipeline.Ingest(context.Background(), f.config(named))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], named+": the file's name holds what looks like a phone") {
		t.Errorf("warnings %q, want one about the file's name", rep.Warnings)
	}
	plain := writeFile(t, f.dir, "fir_2024.csv", rows)
	if rep, err = pipeline.Ingest(context.Background(), f.config(plain)); err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings %q for a plain name, want none", rep.Warnings)
	}
	// An export stamped with its date and time (yyyymmddhhmmss, and
	// milliseconds) holds 14 or 17 digits, which Scrub takes for an [ID]
	// in free text: no phone, CNIC or passport number or e-mail address.
	for _, name := range []string{"incidents_20240115093000.csv", "incidents_20240115093000123.csv"} {
		stamped := writeFile(t, f.dir, name, rows)
		if rep, err = pipeline.Ingest(context.Background(), f.config(stamped)); err != nil {
			t.Fatal(err)
		}
		if len(rep.Warnings) != 0 {
			t.Errorf("warnings %q for a name with a time stamp, want none", rep.Warnings)
		}
	}
}

// TestIngestIDSpellingsOneComplaint: a complaint id that is a phone
// number, written three ways by one source in one month, is one incident
// in a new database (its ids are hashed in one form); a database whose key
// hashed ids as written (made before) keeps hashing them so, as its stored
// hashes are of the written forms.
func TestIngestIDSpellingsOneComplaint(t *testing.T) {
	ctx := context.Background()
	const rest = ",cybercrime,online_fraud,2024-01-12,30.5,70.5,,PTA,,5000,complaint\n"
	incidents := func(f *fixture) int64 {
		var n int64
		query(t, f.db, func(db *sql.DB) { n = scanInt(t, db, `SELECT sum(incidents) FROM district_month`) })
		return n
	}
	f := newFixture(t)
	f.ingest(t, writeFile(t, f.dir, "jan.csv", header+"\n0300-1234567"+rest+"+92 300 1234567"+rest))
	f.ingest(t, writeFile(t, f.dir, "jan2.csv", header+"\n03001234567"+rest))
	if got := incidents(f); got != 1 {
		t.Errorf("new database: %d incidents, want 1 (one complaint written three ways)", got)
	}
	query(t, f.db, func(db *sql.DB) {
		if got := testdb.Rows(t, db, `SELECT value FROM meta WHERE key = 'id_form'`); !reflect.DeepEqual(got, []string{"canonical"}) {
			t.Errorf("meta id_form %q, want canonical", got)
		}
	})

	// A database made before: its key, no id_form.
	old := newFixture(t)
	old.ingest(t, writeFile(t, old.dir, "jan.csv", header+"\n0300-1234567"+rest))
	st, err := store.Open(ctx, old.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM meta WHERE key = 'id_form'`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	old.ingest(t, writeFile(t, old.dir, "jan2.csv", header+"\n0300-1234567"+rest+"03001234567"+rest))
	if got := incidents(old); got != 2 {
		t.Errorf("database hashing as written: %d incidents, want 2 (0300-1234567 twice is one, 03001234567 another)", got)
	}
}
