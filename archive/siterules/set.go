package siterules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// GlobalHost is the host pattern of global.txt, whose rules serve every site.
const GlobalHost = "global"

// MaxFileBytes is the largest rule file LoadDir reads; the largest upstream file
// is under 6 KB.
const MaxFileBytes = 1 << 20

// Set is the collection of rules Gloss knows: rule folders (the user's own folder
// first, then downloaded rules) plus rules added one by one (the user's rules kept
// in the library). It is safe for concurrent use.
type Set struct {
	mu    sync.RWMutex
	dirs  []map[string]*Rule // per folder, in precedence order: host pattern -> rule
	added []*Rule            // in the order added
}

// LoadDir reads every rule file of the given folders into a Set. Earlier folders
// take precedence (see For). Files whose name is not "HOST.txt", ".HOST.txt" or
// "global.txt" (for example LICENSE.txt) are skipped, as are subfolders. Problems
// with single lines are returned and the rest of the file is used; a folder or file
// that cannot be read is also reported as a ParseError (Line 0) and skipped. A
// folder that does not exist is skipped silently, so a user folder that was never
// created is not an error. When a folder holds both "www.example.com.txt" and
// "example.com.txt", the latter is used.
func LoadDir(dirs ...string) (*Set, []ParseError) {
	s := &Set{}
	var errs []ParseError
	for _, dir := range dirs {
		rules, derrs := loadDir(dir)
		errs = append(errs, derrs...)
		s.dirs = append(s.dirs, rules)
	}
	return s, errs
}

func loadDir(dir string) (map[string]*Rule, []ParseError) {
	rules := map[string]*Rule{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return rules, nil
		}
		return rules, []ParseError{{File: dir, Err: fmt.Errorf("%w: %w", ErrRead, err)}}
	}
	// Parse the files on every CPU; assemble in name order, so the result does
	// not depend on scheduling.
	type job struct {
		name, host string
		rule       *Rule
		errs       []ParseError
	}
	var jobs []*job
	for _, e := range entries {
		if host := hostFromFileName(e.Name()); host != "" && e.Type().IsRegular() {
			jobs = append(jobs, &job{name: e.Name(), host: host})
		}
	}
	work := make(chan *job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.rule, j.errs = parseFile(filepath.Join(dir, j.name), j.name)
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()

	var errs []ParseError
	fromWWW := map[string]bool{}
	for _, j := range jobs {
		errs = append(errs, j.errs...)
		if j.rule == nil {
			continue
		}
		isWWW := strings.HasPrefix(strings.ToLower(j.name), "www.")
		if _, ok := rules[j.host]; ok && !fromWWW[j.host] && isWWW {
			continue // example.com.txt wins over www.example.com.txt
		}
		rules[j.host] = j.rule
		fromWWW[j.host] = isWWW
	}
	return rules, errs
}

func parseFile(path, name string) (*Rule, []ParseError) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []ParseError{{File: name, Err: fmt.Errorf("%w: %w", ErrRead, err)}}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, []ParseError{{File: name, Err: fmt.Errorf("%w: %w", ErrRead, err)}}
	}
	if st.Size() > MaxFileBytes {
		return nil, []ParseError{{File: name, Err: fmt.Errorf("%w: %d bytes, more than %d", ErrRead, st.Size(), MaxFileBytes)}}
	}
	return Parse(name, io.LimitReader(f, MaxFileBytes))
}

// Add adds a rule with the highest precedence, above every folder: used for the
// rules the user keeps in the library (see UserRule). Rules added for the same
// host all apply, the first added first. r.Host must be a host pattern as in a
// file name ("example.com", ".example.com" or "global"); Add normalises it.
func (s *Set) Add(r *Rule) {
	if r == nil {
		return
	}
	r.Host = normalizePattern(r.Host)
	if r.Host == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.added = append(s.added, r)
}

// Len returns the number of rule files loaded, counting a host once per folder,
// plus the rules added.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := len(s.added)
	for _, d := range s.dirs {
		n += len(d)
	}
	return n
}

// For returns the rules that serve host, highest precedence first; pass them to
// Merge to get the one rule to apply. host may carry a port and any case; a
// leading "www." is ignored. The list is:
//
//  1. the added rules whose pattern serves host, most specific pattern first;
//  2. the site file: the most specific file serving host in the first folder that
//     has one ("example.com.txt", then ".example.com.txt", then ".com.txt" for
//     host example.com; for a.b.example.com: "a.b.example.com.txt",
//     ".a.b.example.com.txt", ".b.example.com.txt", ".example.com.txt"). Only one
//     site file applies, as in FiveFilters, and a folder earlier in LoadDir's list
//     wins whole: a site file in the user's folder replaces the downloaded one;
//  3. global.txt, from the first folder that has one, unless the rules before it
//     set "autodetect_on_failure: no" (FiveFilters' rule for appending global.txt);
//  4. the added rules for "global".
func (s *Set) For(host string) []*Rule {
	h := normalizeHost(host)
	if h == "" {
		return nil
	}
	cands := candidates(h)
	s.mu.RLock()
	defer s.mu.RUnlock()

	var out []*Rule
	for _, c := range cands {
		for _, r := range s.added {
			if r.Host == c {
				out = append(out, r)
			}
		}
	}
	for _, d := range s.dirs {
		found := false
		for _, c := range cands {
			if r, ok := d[c]; ok {
				out = append(out, r)
				found = true
				break
			}
		}
		if found {
			break
		}
	}
	autodetect := true
	for _, r := range out {
		if r.AutodetectOnFailure.Set {
			autodetect = r.AutodetectOnFailure.Value
			break
		}
	}
	if autodetect {
		for _, d := range s.dirs {
			if r, ok := d[GlobalHost]; ok {
				out = append(out, r)
				break
			}
		}
	}
	for _, r := range s.added {
		if r.Host == GlobalHost {
			out = append(out, r)
		}
	}
	return out
}

// Hosts returns the host patterns that have a rule, sorted, each once.
func (s *Set) Hosts() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	for _, d := range s.dirs {
		for h := range d {
			seen[h] = true
		}
	}
	for _, r := range s.added {
		seen[r.Host] = true
	}
	out := make([]string, 0, len(seen))
	for h := range seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// candidates lists the host patterns that serve host, most specific first.
func candidates(host string) []string {
	out := []string{host, "." + host}
	for rest := host; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		out = append(out, "."+rest)
	}
	return out
}

// normalizeHost lower-cases host and removes a port, a trailing dot and a leading
// "www.". It returns "" for something that is not a host name.
func normalizeHost(host string) string {
	h := strings.ToLower(strings.TrimSpace(host))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[:i], ":") {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	h = strings.TrimPrefix(h, "www.")
	if !isHostName(h) {
		return ""
	}
	return h
}

// normalizePattern normalises a host pattern: "example.com", ".example.com" or
// "global". It returns "" for anything else.
func normalizePattern(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == GlobalHost {
		return p
	}
	wild := strings.HasPrefix(p, ".")
	p = strings.TrimPrefix(p, ".")
	p = strings.TrimSuffix(p, ".")
	if !wild {
		p = strings.TrimPrefix(p, "www.")
	}
	if !isHostName(p) || !strings.Contains(p, ".") && !wild {
		return ""
	}
	if wild {
		return "." + p
	}
	return p
}

// hostFromFileName returns the host pattern of a rule file name, or "" when name
// is not one.
func hostFromFileName(name string) string {
	base, ok := strings.CutSuffix(strings.ToLower(name), ".txt")
	if !ok {
		return ""
	}
	return normalizePattern(base)
}

// isHostName reports whether h is dot-separated labels of letters, digits, '-'
// and '_' (some upstream file names have an underscore).
func isHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
