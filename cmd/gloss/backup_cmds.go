package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"gloss/app"
	"gloss/archive"
)

func backupCommands() map[string]command {
	return map[string]command{
		"backups": {"", "list the daily backups of the library, newest first, and whether each is usable", cmdBackups},
		"restore": {"[BACKUP]", "put a backup (the newest usable one if none is named) in place of the library; the replaced file is kept beside it. Quit Gloss first", cmdRestore},
	}
}

// libraryPath returns the path of the library the command runs on.
func (e *env) libraryPath() (string, error) {
	if e.dbPath != "" {
		return e.dbPath, nil
	}
	return archive.DefaultPath()
}

func cmdBackups(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("backups", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return usagef("backups takes no arguments")
	}
	path, err := e.libraryPath()
	if err != nil {
		return err
	}
	dir := archive.BackupDir(path)
	all, err := archive.Backups(dir)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintf(e.stdout, "no backups in %s yet\n", dir)
		return nil
	}
	good := map[string]bool{}
	for _, p := range archive.GoodBackups(e.ctx, dir) {
		good[p] = true
	}
	for _, p := range all {
		state := "usable"
		if !good[p] {
			state = "DAMAGED"
		}
		size := "?"
		if st, err := os.Stat(p); err == nil {
			size = fmt.Sprintf("%.1f MB", float64(st.Size())/1e6)
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", p, size, state)
	}
	return nil
}

func cmdRestore(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("restore", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usagef("give at most one backup file")
	}
	path, err := e.libraryPath()
	if err != nil {
		return err
	}
	var backup string
	if len(rest) == 1 {
		backup = rest[0]
	} else {
		good := archive.GoodBackups(e.ctx, archive.BackupDir(path))
		if len(good) == 0 {
			return fmt.Errorf("no usable backup of %s in %s", path, archive.BackupDir(path))
		}
		backup = good[0]
	}
	aside, err := archive.RestoreBackup(e.ctx, path, backup)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s from %s\n", path, backup)
	if aside != "" {
		fmt.Fprintf(e.stdout, "the library it replaced is kept as %s\n", aside)
	}
	return nil
}

// backupAdvice is what message adds to a damaged-library error: how to put a backup back.
func backupAdvice(err error) string {
	var ce *archive.CorruptError
	if !errors.As(err, &ce) || len(ce.Backups) == 0 {
		return ""
	}
	return "; run `gloss restore` to put it in place (the damaged file is kept beside it)"
}

// rollingBackup makes today's backup in the library's backup folder unless there is one,
// keeping as many as the app does, and says what it did.
func (e *env) rollingBackup(lib *archive.Library) error {
	dir := archive.BackupDir(lib.Path())
	made, err := lib.RollingBackup(e.ctx, dir, app.KeepBackups, time.Now())
	if err != nil {
		return err
	}
	if made == "" {
		fmt.Fprintf(e.stdout, "today's backup is already in %s\n", dir)
	} else {
		fmt.Fprintln(e.stdout, made)
	}
	return nil
}
