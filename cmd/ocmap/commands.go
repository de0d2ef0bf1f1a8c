package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"
)

// Exit codes, documented in `ocmap help`.
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitBoundaries = 3
	exitCancelled  = 130
)

const exitCodesHelp = `Exit codes:
  0    success (rejected rows are not a failure: they are in the rejects table)
  1    the command failed (unreadable input, database error, ...)
  2    wrong usage (unknown command or flag, missing argument)
  3    no boundary file (see 'ocmap help boundaries')
  130  interrupted (Ctrl-C); an interrupted ingest changes nothing
`

// errUsage marks errors in how a command was called.
var errUsage = errors.New("usage")

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// Command is one ocmap subcommand, in the style of Go's cmd/go.
type Command struct {
	Name  string
	Usage string // arguments after the name
	Short string
	Long  string
	Flags func(fs *pflag.FlagSet) // declares the command's flags
	Run   func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command may touch besides its flags.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

var commands []*Command

func register(c *Command) { commands = append(commands, c) }

func lookup(name string) *Command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	if len(args) == 0 {
		printOverview(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		name = "help"
	case "-v", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "ocmap: unknown command %q\nRun 'ocmap help' for the list of commands.\n", name)
		return exitUsage
	}
	fs := pflag.NewFlagSet(cmd.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	help := fs.BoolP("help", "h", false, "show help for this command")
	if err := fs.Parse(args[1:]); err != nil {
		fmt.Fprintf(stderr, "ocmap %s: %v\n\n", cmd.Name, err)
		printCommandHelp(stderr, cmd)
		return exitUsage
	}
	if *help {
		printCommandHelp(stdout, cmd)
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done)
	go watchdog(ctx, done, stderr, cmd.Name)
	err := cmd.Run(ctx, env, fs.Args())
	return exitCode(stderr, cmd, err)
}

// abortGrace is how long a command has to return after SIGINT or SIGTERM
// before the watchdog ends the process, so that every command stops
// within a second even in a step that does not watch its context.
const abortGrace = 800 * time.Millisecond

// abortHooks undo what a command has begun (a database file it created)
// when the watchdog ends the process. An ingest's transaction needs no
// hook: DuckDB discards an uncommitted run when the process ends.
var abortHooks struct {
	sync.Mutex
	next int
	fns  map[int]func()
}

// onAbort registers fn to run if the watchdog ends the process; the
// returned func unregisters it.
func onAbort(fn func()) (remove func()) {
	abortHooks.Lock()
	defer abortHooks.Unlock()
	if abortHooks.fns == nil {
		abortHooks.fns = map[int]func(){}
	}
	abortHooks.next++
	id := abortHooks.next
	abortHooks.fns[id] = fn
	return func() {
		abortHooks.Lock()
		defer abortHooks.Unlock()
		delete(abortHooks.fns, id)
	}
}

// watchdog waits for a signal (ctx done) and then gives the command
// abortGrace to return before it runs the abort hooks and exits.
func watchdog(ctx context.Context, done <-chan struct{}, stderr io.Writer, name string) {
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	select {
	case <-done:
	case <-time.After(abortGrace):
		// The hooks run with the lock held, so that a command finishing at
		// this moment cannot unregister one half-way.
		abortHooks.Lock()
		for _, fn := range abortHooks.fns {
			fn()
		}
		fmt.Fprintf(stderr, "ocmap %s: interrupted; nothing was changed\n", name)
		os.Exit(exitCancelled)
	}
}

func exitCode(stderr io.Writer, cmd *Command, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "ocmap %s: interrupted; nothing was changed\n", cmd.Name)
		return exitCancelled
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "ocmap %s: %s\n\nUsage: ocmap %s %s\nRun 'ocmap help %s' for details.\n",
			cmd.Name, strings.TrimPrefix(err.Error(), "usage: "), cmd.Name, cmd.Usage, cmd.Name)
		return exitUsage
	case errors.Is(err, errNoBoundaries):
		fmt.Fprintf(stderr, "ocmap %s: %v\n", cmd.Name, err)
		return exitBoundaries
	default:
		fmt.Fprintf(stderr, "ocmap %s: %v\n", cmd.Name, err)
		return exitFailure
	}
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `ocmap maps organized-crime incidents (terror financing, drug trafficking,
human trafficking, cybercrime) to Pakistan's districts and keeps them in a
DuckDB database for analysis.

Usage: ocmap <command> [flags] [arguments]

Commands:
`)
	cs := append([]*Command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Short)
	}
	fmt.Fprint(w, "\nRun 'ocmap help <command>' for a command's flags and examples.\n\n"+exitCodesHelp)
}

func printCommandHelp(w io.Writer, c *Command) {
	fmt.Fprintf(w, "Usage: ocmap %s %s\n\n%s\n", c.Name, c.Usage, strings.TrimSpace(c.Long))
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SortFlags = false
	if c.Flags != nil {
		c.Flags(fs)
	}
	if fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
	fmt.Fprint(w, "\n"+exitCodesHelp)
}

func init() {
	register(&Command{
		Name:  "help",
		Usage: "[command]",
		Short: "show help for ocmap or one command",
		Long:  "Shows the list of commands, or the flags and examples of one command.",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				printOverview(env.Stdout)
				return nil
			}
			c := lookup(args[0])
			if c == nil {
				return usagef("unknown command %q", args[0])
			}
			printCommandHelp(env.Stdout, c)
			return nil
		},
	})
}
