//go:build duckdb_arrow && unix

package pipeline_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ocmap/ocmap/geo"
	"github.com/ocmap/ocmap/pipeline"
	"github.com/ocmap/ocmap/pipeline/synth"
)

// The tests here interrupt an ingest in the middle of its run. The ingest
// reads its input from a named pipe that the test fills and does not close
// until the interruption: so the run is certainly under way, with batches
// inserted into its open transaction, and cannot reach its commit however
// fast the machine.

// bigRows is four full batches of normalize.DefaultBatchRows and more, and
// some seconds of work.
const bigRows = 600000

// bigFile writes a synthetic file of bigRows rows over the fixture's map.
func bigFile(t *testing.T, f *fixture) string {
	t.Helper()
	big := filepath.Join(f.dir, "big.csv")
	out, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	_, err = synth.Generate(out, f.b, geo.NewIndex(f.b.Polygons), synth.Options{Rows: bigRows, Seed: 5})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return big
}

// pipeFeed copies a file into a named pipe.
type pipeFeed struct {
	Path    string       // the named pipe, for the ingest to read
	Size    int64        // of the file
	Written atomic.Int64 // bytes written into the pipe so far
	done    chan struct{}
	fed     chan error
}

// newPipeFeed starts copying src into a new named pipe. Stop ends the copy
// and closes the pipe, which the reader sees as the end of its input.
func newPipeFeed(t *testing.T, src string) *pipeFeed {
	t.Helper()
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeFeed{Path: filepath.Join(filepath.Dir(src), "feed.csv"), Size: fi.Size(), done: make(chan struct{}), fed: make(chan error, 1)}
	if err := syscall.Mkfifo(p.Path, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() { p.fed <- p.copy(src) }()
	t.Cleanup(func() { p.Stop() })
	return p
}

func (p *pipeFeed) copy(src string) error {
	// Opening a pipe for writing blocks until a reader opens it.
	w, err := os.OpenFile(p.Path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer w.Close()
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	buf := make([]byte, 32<<10)
	for {
		select {
		case <-p.done:
			return nil
		default:
		}
		n, rerr := in.Read(buf)
		if _, err := w.Write(buf[:n]); err != nil {
			<-p.done
			return err // EPIPE once the reader is killed
		}
		p.Written.Add(int64(n))
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	<-p.done
	return nil
}

// Stop ends the copy, closes the pipe and waits for the copy to return.
func (p *pipeFeed) Stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	close(p.done)
	// Open the pipe for reading and drain it: should no reader ever have
	// opened it, the writer's open returns; should the reader have gone, the
	// writer's blocked write completes and it sees done.
	if r, err := os.OpenFile(p.Path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		defer r.Close()
		go io.Copy(io.Discard, r)
	}
	return <-p.fed
}

// WaitFor waits until the reader has taken share of the file, so that it is
// normalizing its fourth batch or later and the first has reached DuckDB
// (the channel between the stages holds one batch). It fails the test when
// quit reports first, or after two minutes.
func (p *pipeFeed) WaitFor(t *testing.T, share float64, quit <-chan string) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case why := <-quit:
			t.Fatalf("the ingest ended before it was interrupted: %s", why)
		case <-tick.C:
			if float64(p.Written.Load()) >= share*float64(p.Size) {
				return
			}
		case <-timeout:
			t.Fatalf("the ingest read %d of %d bytes in 2 minutes", p.Written.Load(), p.Size)
		}
	}
}

// TestIngestKilled kills an ingest with SIGKILL in the middle of its run and
// checks that the database is exactly as it was before the run.
func TestIngestKilled(t *testing.T) {
	if os.Getenv("OCMAP_TEST_CHILD") == "1" {
		ingestChild()
		return
	}
	if testing.Short() {
		t.Skip("generates a 600,000-row file")
	}
	f := newFixture(t)
	f.ingest(t, f.small)
	before := snapshot(t, f.db)
	feed := newPipeFeed(t, bigFile(t, f))

	cmd := childIngest("TestIngestKilled", f, feed.Path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var out strings.Builder
	exited := make(chan error, 1)
	quit := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(&out, sc.Text())
		}
		err := cmd.Wait()
		exited <- err
		quit <- fmt.Sprint(err)
	}()

	feed.WaitFor(t, 0.75, quit)
	killedAt := feed.Written.Load()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL\n%s", err, out.String())
	}
	t.Logf("killed the child after it read %d of %d bytes:\n%s", killedAt, feed.Size, out.String())

	if got, want := snapshot(t, f.db), before; !reflect.DeepEqual(got, want) {
		t.Errorf("database changed by a killed run\n got %v\nwant %v", got, want)
	}
	// Its spill of rejected rows (raw text) had no name to leave behind.
	if left, _ := os.ReadDir(childTemp(f)); len(left) > 0 {
		t.Errorf("a killed run left %d files in its temporary folder, first %s", len(left), left[0].Name())
	}
	// The database still works: the next run is run 2.
	other := writeFile(t, f.dir, "other.csv", header+"\nC1,cybercrime,hacking,2023-05-01,30.5,70.5,,FIA,,,new\n")
	if got, want := f.ingest(t, other).RunID, int64(2); got != want {
		t.Errorf("run after the kill is %d, want %d", got, want)
	}
}

// childTemp is the temporary folder of f's ingest children.
func childTemp(f *fixture) string {
	dir := filepath.Join(f.dir, "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	return dir
}

// ingestChild is the child process of TestIngestKilled: it ingests and says
// whether it committed.
// childIngest is the command that runs test, in this test binary, as an
// ingest child (ingestChild) of f's database and boundaries, reading input.
func childIngest(test string, f *fixture, input string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), "OCMAP_TEST_CHILD=1", "TMPDIR="+childTemp(f),
		"OCMAP_TEST_DB="+f.db, "OCMAP_TEST_INPUT="+input, "OCMAP_TEST_MAP="+f.b.Path)
	return cmd
}

func ingestChild() {
	b, err := geo.Load(os.Getenv("OCMAP_TEST_MAP"), geo.Properties{})
	if err == nil {
		_, err = pipeline.Ingest(context.Background(), pipeline.Config{
			DB: os.Getenv("OCMAP_TEST_DB"), Boundaries: b, Inputs: []string{os.Getenv("OCMAP_TEST_INPUT")},
			KeepRaw: true, Progress: os.Stderr, Version: "child",
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "child: committed")
	os.Exit(0)
}

// TestIngestCancelled cancels an ingest's context in the middle of its run,
// as Ctrl-C does, and checks that it returns context.Canceled and leaves the
// database as it was.
func TestIngestCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 600,000-row file")
	}
	f := newFixture(t)
	f.ingest(t, f.small)
	before := snapshot(t, f.db)
	feed := newPipeFeed(t, bigFile(t, f))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	quit := make(chan string, 1)
	go func() {
		_, err := pipeline.Ingest(ctx, f.config(feed.Path))
		result <- err
		quit <- fmt.Sprint(err)
	}()
	feed.WaitFor(t, 0.75, quit)
	cancel()
	// The input stays open and blocked (as a stalled pipe or network file
	// would): cancelling must still end the run promptly.
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ingest did not return within 30s of cancellation while its input read was blocked")
	}
	feed.Stop()
	if got, want := snapshot(t, f.db), before; !reflect.DeepEqual(got, want) {
		t.Errorf("database changed by a cancelled run\n got %v\nwant %v", got, want)
	}
}

// TestIngestFirstRunsAtOnce starts two first ingests (two processes) into
// the same new database, the second while the first is still reading its
// input, and lets the first finish first. Whatever each reports must be
// true: a run that reports success is the database at DB, and no staged
// file is left behind.
func TestIngestFirstRunsAtOnce(t *testing.T) {
	if os.Getenv("OCMAP_TEST_CHILD") == "1" {
		ingestChild()
		return
	}
	f := newFixture(t)
	// Each feed is a named pipe "feed.csv" beside its source: two folders.
	srcA := writeFile(t, t.TempDir(), "a.csv", smallCSV())
	srcB := writeFile(t, t.TempDir(), "b.csv", header+"\nC1,cybercrime,hacking,2023-05-01,30.5,70.5,,FIA,,,new\n")
	type result struct {
		err error
		out string
	}
	start := func(src string) (*pipeFeed, chan result) {
		feed := newPipeFeed(t, src)
		cmd := childIngest("TestIngestFirstRunsAtOnce", f, feed.Path)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		res := make(chan result, 1)
		go func() {
			err := cmd.Wait()
			res <- result{err, out.String()}
		}()
		return feed, res
	}
	// waitRead waits until the run has opened its input (its database is
	// open by then), or has ended.
	waitRead := func(feed *pipeFeed, res chan result) *result {
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			select {
			case r := <-res:
				return &r
			default:
			}
			if feed.Written.Load() == feed.Size {
				return nil
			}
		}
		t.Fatal("the ingest neither read its input nor ended in 2 minutes")
		return nil
	}
	feedA, resA := start(srcA)
	if r := waitRead(feedA, resA); r != nil {
		t.Fatalf("the first run ended before its input did: %v\n%s", r.err, r.out)
	}
	feedB, resB := start(srcB)
	early := waitRead(feedB, resB)
	feedA.Stop()
	a := <-resA
	var b result
	if early != nil {
		b = *early
	} else {
		feedB.Stop()
		b = <-resB
	}
	t.Logf("first run: %v\n%s\nsecond run: %v\n%s", a.err, a.out, b.err, b.out)
	if a.err != nil {
		t.Errorf("the first run failed: the second must not undo a run under way")
	}
	if a.err == nil && b.err == nil {
		t.Errorf("both runs report they created %s", f.db)
	}
	if a.err == nil || b.err == nil {
		var gotRows int64
		var gotSource string
		query(t, f.db, func(db *sql.DB) {
			gotRows = scanInt(t, db, `SELECT count(*) FROM incidents`)
			if err := db.QueryRow(`SELECT string_agg(DISTINCT source_file) FROM incidents`).Scan(&gotSource); err != nil {
				t.Fatal(err)
			}
		})
		if a.err == nil && (gotRows != 8 || gotSource != feedA.Path) {
			t.Errorf("the first run reported success, but %s holds %d rows of %s (want 8 of %s)", f.db, gotRows, gotSource, feedA.Path)
		}
		if b.err == nil && (gotRows != 1 || gotSource != feedB.Path) {
			t.Errorf("the second run reported success, but %s holds %d rows of %s (want 1 of %s)", f.db, gotRows, gotSource, feedB.Path)
		}
	}
	if left, _ := filepath.Glob(pipeline.StagingPath(f.db) + "*"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestIngestFirstRunKilled kills a first ingest (SIGKILL) while it reads its
// input, its staged database open: nothing is at DB, and the next first
// ingest removes what the killed one left and makes the database.
func TestIngestFirstRunKilled(t *testing.T) {
	if os.Getenv("OCMAP_TEST_CHILD") == "1" {
		ingestChild()
		return
	}
	f := newFixture(t)
	feed := newPipeFeed(t, f.small)
	cmd := childIngest("TestIngestFirstRunKilled", f, feed.Path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	quit := make(chan string, 1)
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		exited <- err
		quit <- fmt.Sprint(err)
	}()
	feed.WaitFor(t, 1, quit) // the child opened its input, so its staged database
	partial := pipeline.StagingPath(f.db)
	if _, err := os.Stat(partial); err != nil {
		t.Fatalf("no staged database while the first run reads: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	t.Logf("child:\n%s", out.String())
	if _, err := os.Stat(f.db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists after a killed first run (stat: %v)", f.db, err)
	}
	left, _ := filepath.Glob(partial + "*")
	t.Logf("left by the killed run: %v", left)
	rep := f.ingest(t, f.small)
	if rep.RunID != 1 {
		t.Errorf("run %d after the killed first run, want 1", rep.RunID)
	}
	query(t, f.db, func(db *sql.DB) {
		if got, want := incidents(t, db), smallIncidents(1); !reflect.DeepEqual(got, want) {
			t.Errorf("incidents after the killed first run\n got %v\nwant %v", got, want)
		}
	})
	if left, _ := filepath.Glob(partial + "*"); len(left) > 0 {
		t.Errorf("left behind after the next run: %v", left)
	}
}
