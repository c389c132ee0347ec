package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"gloss/archive"
	"gloss/archive/fetch"
	"gloss/archive/siterules"
)

// ruleSetURL is where the FiveFilters site rule set is published.
const ruleSetURL = "https://github.com/fivefilters/ftr-site-config/archive/refs/heads/master.zip"

func ruleCommands() map[string]command {
	return map[string]command{
		"rules": {"add HOST (--strip XPATH | --strip-class NAME | --strip-text PATTERN) | list | remove ID | folder [DIR] | update [--from URL]",
			"manage site rules", cmdRules},
		"restrip":        {"ID... [--restore PATH]... [--unrestore PATH]...", "clean stored articles again with today's rules, without fetching", cmdRestrip},
		"refetch-images": {"ID...", "download the images an article could not keep", cmdRefetchImages},
	}
}

func cmdRules(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give a rules command: add, list, remove, folder or update")
	}
	switch args[0] {
	case "add":
		return rulesAdd(e, args[1:])
	case "list":
		return rulesList(e, args[1:])
	case "remove":
		return rulesRemove(e, args[1:])
	case "folder":
		return rulesFolder(e, args[1:])
	case "update":
		return rulesUpdate(e, args[1:])
	}
	return usagef("unknown rules command %q", args[0])
}

func rulesAdd(e *env, args []string) error {
	fs := flag.NewFlagSet("rules add", flag.ContinueOnError)
	xpath := fs.String("strip", "", "remove the elements this XPath selects")
	class := fs.String("strip-class", "", "remove the elements with this class")
	text := fs.String("strip-text", "", "remove the smallest blocks whose text contains this (or matches /regexp/)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one host")
	}
	var rules []siterules.UserRule
	for kind, v := range map[siterules.Kind]string{siterules.StripXPath: *xpath, siterules.StripClass: *class, siterules.StripText: *text} {
		if v != "" {
			rules = append(rules, siterules.UserRule{Host: rest[0], Kind: kind, Value: v})
		}
	}
	if len(rules) != 1 {
		return usagef("give one of --strip, --strip-class or --strip-text")
	}
	return e.withLibrary(func(lib *archive.Library) error {
		id, err := lib.AddUserRule(e.ctx, rules[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, id)
		return nil
	})
}

func rulesList(e *env, args []string) error {
	if _, err := parse(flag.NewFlagSet("rules list", flag.ContinueOnError), args); err != nil {
		return err
	}
	return e.withLibrary(func(lib *archive.Library) error {
		rules, err := lib.UserRules(e.ctx)
		if err != nil {
			return err
		}
		for _, r := range rules {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\n", r.ID, r.Host, archive.RuleKindName(r.Kind), r.Value)
		}
		dir, err := lib.Setting(e.ctx, archive.RulesDirSetting, "")
		if err != nil {
			return err
		}
		if dir != "" {
			fmt.Fprintf(e.stderr, "your rules folder: %s\n", dir)
		}
		set, perrs, err := lib.SiteRules(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "site rule files for %d hosts (%s)\n", len(set.Hosts()), lib.DownloadedRulesDir())
		for _, pe := range perrs {
			fmt.Fprintf(e.stderr, "%v\n", pe)
		}
		return nil
	})
}

func rulesRemove(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("rules remove", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("give one rule id")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return usagef("%q is not a rule id", rest[0])
	}
	return e.withLibrary(func(lib *archive.Library) error { return lib.RemoveUserRule(e.ctx, id) })
}

func rulesFolder(e *env, args []string) error {
	rest, err := parse(flag.NewFlagSet("rules folder", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	return e.withLibrary(func(lib *archive.Library) error {
		if len(rest) == 0 {
			dir, err := lib.Setting(e.ctx, archive.RulesDirSetting, "")
			if err == nil {
				fmt.Fprintln(e.stdout, dir)
			}
			return err
		}
		dir, err := filepath.Abs(rest[0])
		if err != nil {
			return err
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s is not a folder", dir)
		}
		return lib.SetSetting(e.ctx, archive.RulesDirSetting, dir)
	})
}

// rulesUpdate downloads the published rule set and swaps it in whole.
func rulesUpdate(e *env, args []string) error {
	fs := flag.NewFlagSet("rules update", flag.ContinueOnError)
	from := fs.String("from", ruleSetURL, "the rule set archive (.zip or .tar.gz)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return e.withLibrary(func(lib *archive.Library) error {
		fmt.Fprintf(e.stderr, "downloading %s\n", *from)
		res, err := fetch.New(fetch.Options{MaxBody: siterules.MaxArchiveBytes}).Get(e.ctx, fetch.Request{URL: *from})
		if err != nil {
			var fe *fetch.Error
			if errors.As(err, &fe) && (fe.Kind == fetch.DNS || fe.Kind == fetch.Connect || fe.Kind == fetch.Timeout) {
				return fmt.Errorf("could not download the site rules; are you offline? (%w)", err)
			}
			return err
		}
		fmt.Fprintf(e.stderr, "downloaded %d KiB, unpacking\n", len(res.Body)>>10)
		dest := lib.DownloadedRulesDir()
		tmp, err := os.MkdirTemp(filepath.Dir(dest), ".site-rules-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		n, err := siterules.Unpack(bytes.NewReader(res.Body), tmp)
		if err != nil {
			return fmt.Errorf("unpack site rules: %w", err)
		}
		old := dest + ".old"
		os.RemoveAll(old)
		if err := os.Rename(dest, old); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.Rename(tmp, dest); err != nil {
			os.Rename(old, dest)
			return err
		}
		os.RemoveAll(old)
		fmt.Fprintf(e.stderr, "%d site rule files in %s\n", n, dest)
		return nil
	})
}

func cmdRestrip(e *env, args []string) error {
	fs := flag.NewFlagSet("restrip", flag.ContinueOnError)
	var restore, unrestore stringList
	fs.Var(&restore, "restore", "keep this removal (a path from gloss extract --explain or show --format json)")
	fs.Var(&unrestore, "unrestore", "remove again a block restored earlier")
	return recleanEach(e, fs, args, func(s *archive.Saver, id int64) (archive.Saved, error) {
		return s.Reclean(e.ctx, id, archive.RecleanOptions{Restore: restore, Unrestore: unrestore})
	})
}

func cmdRefetchImages(e *env, args []string) error {
	return recleanEach(e, flag.NewFlagSet("refetch-images", flag.ContinueOnError), args, func(s *archive.Saver, id int64) (archive.Saved, error) {
		return s.Reclean(e.ctx, id, archive.RecleanOptions{FetchImages: true})
	})
}

// recleanEach runs a re-clean on each article named in args, printing the new captures.
func recleanEach(e *env, fs *flag.FlagSet, args []string, fn func(*archive.Saver, int64) (archive.Saved, error)) error {
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("give an article id")
	}
	var ids []int64
	for _, a := range rest {
		id, err := articleID(a)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	return e.withLibrary(func(lib *archive.Library) error {
		saver := archive.NewSaver(lib, fetch.New(fetch.Options{}))
		failed := 0
		for _, id := range ids {
			saved, err := fn(saver, id)
			if err != nil {
				failed++
				fmt.Fprintf(e.stderr, "gloss: %s\n", message(err))
				continue
			}
			printSaved(e, saved)
		}
		if failed > 0 {
			return exitError(1)
		}
		return nil
	})
}
