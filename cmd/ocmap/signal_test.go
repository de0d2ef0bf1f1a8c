//go:build duckdb_arrow

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the test binary as ocmap itself
// (OCMAP_TEST_MAIN=1), so that signals reach a real process.
func TestMain(m *testing.M) {
	if os.Getenv("OCMAP_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// A command that ignores its context, as a step stuck in a parser or in a
// blocking read would, exists only in the test binary: the watchdog must
// end it and run its abort hooks.
func init() {
	register(&Command{
		Name:  "test-hang",
		Usage: "MARKER",
		Short: "test only: hangs ignoring signals",
		Run: func(ctx context.Context, env *Env, args []string) error {
			defer onAbort(func() { os.WriteFile(args[0], []byte("hook ran"), 0o644) })()
			env.Stderr.Write([]byte("ready\n"))
			select {} // never returns, whatever ctx says
		},
	})
}

// lockedBuffer collects a process's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startOcmap runs the test binary as ocmap and returns once its stderr
// holds ready: by then its signal handler is installed.
func startOcmap(t *testing.T, ready string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "OCMAP_TEST_MAIN=1")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(stderr.String(), ready); {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not start:\n%s", args, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, stderr
}

// waitExit waits for the process and returns its exit code; the deadline
// only keeps a broken watchdog from hanging the test suite.
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the process did not stop after the signal")
		return -1
	}
}

func TestSignalWatchdog(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "hook")
			cmd, stderr := startOcmap(t, "ready", "test-hang", marker)
			cmd.Process.Signal(sig)
			if got, want := waitExit(t, cmd), exitCancelled; got != want {
				t.Errorf("exit %d, want %d\n%s", got, want, stderr)
			}
			if b, err := os.ReadFile(marker); err != nil || string(b) != "hook ran" {
				t.Errorf("abort hook: %q %v", b, err)
			}
			if !strings.Contains(stderr.String(), "interrupted; nothing was changed") {
				t.Errorf("stderr %q", stderr)
			}
		})
	}
}

// TestSignalIngest stops an ingest that waits for input (a pipe whose
// writer never finishes): a database it created is gone, and an existing
// one keeps exactly its rows.
func TestSignalIngest(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	header := "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"
	first := writeTestFile(t, dir, "first.csv", header+"1,cybercrime,,2023-01-05,30.5,70.5,,,,,\n")
	existing := filepath.Join(dir, "existing.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", existing, "--boundaries", mapPath, first); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, tt := range []struct {
		name, db string
		sig      syscall.Signal
	}{
		{"new database, SIGTERM", filepath.Join(dir, "new.duckdb"), syscall.SIGTERM},
		{"new database, SIGINT", filepath.Join(dir, "new2.duckdb"), syscall.SIGINT},
		{"existing database, SIGTERM", existing, syscall.SIGTERM},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "incoming.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			// Opened for reading too, so that opening does not wait for
			// ocmap; the rows fit in the pipe's buffer.
			w, err := os.OpenFile(fifo, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			w.WriteString(header)
			for i := range 1000 {
				fmt.Fprintf(w, "p%d,drug_trafficking,,2023-02-05,30.5,71.5,,,,,\n", i)
			}
			// Then silence: the ingest waits in the middle of its run.
			cmd, stderr := startOcmap(t, "boundaries:", "ingest", "--db", tt.db, "--boundaries", mapPath, fifo)
			// Stop it once it has the database open and is reading.
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(tt.db + ".wal"); err == nil || time.Now().After(deadline) {
					break
				}
			}
			time.Sleep(200 * time.Millisecond)
			cmd.Process.Signal(tt.sig)
			if got, want := waitExit(t, cmd), exitCancelled; got != want {
				t.Errorf("exit %d, want %d\n%s", got, want, stderr)
			}
			if tt.db != existing {
				for _, p := range []string{tt.db, tt.db + ".wal"} {
					if _, err := os.Stat(p); err == nil {
						t.Errorf("%s is left behind", p)
					}
				}
				return
			}
			code, stdout, _ := ocmap("sql", "--db", existing, "--format", "csv", "SELECT count(*) AS n, min(incident_id) AS id FROM incidents")
			if got, want := stdout, "n,id\n1,1\n"; code != exitOK || got != want {
				t.Errorf("existing database after the stop: exit %d\n%s\nwant\n%s", code, got, want)
			}
		})
	}
}

// TestFailedFirstIngest: an ingest that fails after it opened a new
// database leaves no database behind.
func TestFailedFirstIngest(t *testing.T) {
	dir := isolate(t)
	mapPath := writeMap(t, dir)
	bad := writeTestFile(t, dir, "bad.csv", "who,what\n1,2\n")
	db := filepath.Join(dir, "new.duckdb")
	code, _, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, bad)
	if code != exitFailure || !strings.Contains(stderr, "bad.csv") {
		t.Fatalf("exit %d, want %d and an error naming the file\n%s", code, exitFailure, stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "new.duckdb") {
			t.Errorf("%s is left behind", e.Name())
		}
	}
}

// TestSignalExport stops an export once its first file is written: the
// output folder is left without any file of it, and no release is
// registered. Files the register does not know could be published and
// then subtracted from the next release's figures.
func TestSignalExport(t *testing.T) {
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	var rows []string
	for i := range 60 {
		rows = append(rows, fmt.Sprintf("E%d,drug_trafficking,x,2024-0%d-10,%.1f,%.1f,,SRC,1,,", i, 1+i%3, 32.5-float64(i%3), 70.5+float64(i%2)))
	}
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		strings.Join(rows, "\n")+"\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "npb")
	files := func() (names []string) {
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, p)
			}
			return nil
		})
		return names
	}
	// Wide maps take long enough to draw that the signal comes in the middle.
	// No ready line: by the time a file is written the handler is long installed.
	cmd, stderr := startOcmap(t, "", "export", "--db", db, "--out", out, "--boundaries", mapPath, "--width", "6000")
	for deadline := time.Now().Add(60 * time.Second); len(files()) == 0; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no file written in a minute\n%s", stderr)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if got, want := waitExit(t, cmd), exitCancelled; got != want {
		t.Fatalf("exit %d, want %d (the export ended before the signal?)\n%s", got, want, stderr)
	}
	if left := files(); len(left) > 0 {
		t.Errorf("the stopped export left %d files: %q", len(left), left)
	}
	if code, stdout, _ := ocmap("releases", "--db", db); code != exitOK || !strings.Contains(stdout, "no releases") {
		t.Errorf("releases after the stop: exit %d\n%s", code, stdout)
	}
}
