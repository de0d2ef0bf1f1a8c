package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		s := newSummary(stdout)
		err := s.read(stdin)
		return s.finish(err, stderr)
	}
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	cmd := exec.CommandContext(ctx, goCmd, append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = stderr
	// Interrupted, go test gets the signal too; give it a moment to stop.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 2e9
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testsummary:", err)
		return 2
	}
	s := newSummary(stdout)
	rerr := s.read(out)
	if rerr != nil {
		io.Copy(io.Discard, out) // let go test finish writing
	}
	werr := cmd.Wait()
	code := s.finish(rerr, stderr)
	var exit *exec.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &exit):
		if code == 0 {
			// go test failed without a failing test or package in its
			// output (a bad flag, a package pattern matching nothing):
			// its stderr said why.
			fmt.Fprintf(stdout, "FAIL: %s test exited with status %d\n", goCmd, exit.ExitCode())
			code = 1
		}
	default:
		fmt.Fprintln(stderr, "testsummary:", werr)
		code = 2
	}
	return code
}
