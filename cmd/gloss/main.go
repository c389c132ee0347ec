// Command gloss saves web articles as clean offline copies and works on them. With no
// arguments it starts the desktop app; with a command it runs that command on the library.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"gloss/archive"
)

// env is what a command runs with: its streams, the library path, and a context that
// Ctrl+C cancels.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	dbPath string
}

// command is one `gloss NAME` command.
type command struct {
	usage string // arguments, after the name
	help  string
	run   func(e *env, args []string) error
}

var commands map[string]command

func init() {
	commands = archiveCommands()
	for k, v := range exportCommands() {
		commands[k] = v
	}
	for k, v := range ruleCommands() {
		commands[k] = v
	}
	for k, v := range annotateCommands() {
		commands[k] = v
	}
	for k, v := range guiCommands() {
		commands[k] = v
	}
	for k, v := range importCommands() {
		commands[k] = v
	}
	for k, v := range backupCommands() {
		commands[k] = v
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one invocation and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	global := flag.NewFlagSet("gloss", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.dbPath, "db", "", "library file")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "gloss: %v\n", err)
		usage(stderr)
		return 2
	}
	args = global.Args()
	if len(args) == 0 {
		return startGUI(e, nil) // no command: the desktop app
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok && guiArgs(args) {
		return startGUI(e, args) // gloss URL... or gloss FILE...: the app, adding them
	}
	if !ok {
		fmt.Fprintf(stderr, "gloss: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(e, args[1:]); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "gloss %s: %v\nusage: gloss %s %s\n", args[0], ue.error, args[0], cmd.usage)
			return 2
		}
		var ex exitError
		if errors.As(err, &ex) {
			return int(ex)
		}
		fmt.Fprintf(stderr, "gloss %s: %s\n", args[0], message(err))
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Gloss saves web articles as clean offline copies and works on them.")
	fmt.Fprintln(w, "\nusage: gloss [--db FILE] COMMAND [ARGS]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-48s %s\n", strings.TrimSpace(n+" "+c.usage), c.help)
	}
}

// usageError is a mistake in a command's arguments.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError ends a command with a status after it has reported its own failures.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// message turns an error into the one sentence a person reads.
func message(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return err.Error() + backupAdvice(err)
}

// parse parses a command's flags, which may come before, between or after its arguments,
// and returns the arguments. A lone "-" is an argument.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// openLibrary opens the library the command runs on.
func (e *env) openLibrary() (*archive.Library, error) {
	path, err := e.libraryPath()
	if err != nil {
		return nil, err
	}
	return archive.Open(path)
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
