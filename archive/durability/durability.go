// Package durability helps tests prove that Gloss loses nothing: it runs a
// child process (the test binary itself, re-executed to run one test
// function), collects the lines the child prints after each write it was
// told is safe, and kills it at a moment of the test's choosing, as a crash
// or a power cut would. It also says how hard tests should push: short runs
// in go test, long ones under GLOSS_STRESS=1 (make stress).
package durability

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// StressEnv is the environment variable that turns on long runs.
const StressEnv = "GLOSS_STRESS"

// childEnv names the child role a re-executed test binary is to play.
const childEnv = "GLOSS_DURABILITY_CHILD"

// Stress reports whether long runs were asked for (GLOSS_STRESS=1).
func Stress() bool { return os.Getenv(StressEnv) == "1" }

// N returns short in an ordinary test run and stress under GLOSS_STRESS=1.
func N(short, stress int) int {
	if Stress() {
		return stress
	}
	return short
}

// Duration returns short in an ordinary test run and stress under
// GLOSS_STRESS=1.
func Duration(short, stress time.Duration) time.Duration {
	if Stress() {
		return stress
	}
	return short
}

// AckPrefix starts every line a child prints to report an acknowledged
// write; Child.Acks returns the rest of those lines.
const AckPrefix = "ack "

// Role returns the role this process was started to play and its
// arguments, or "" if it is not a child. A child test function starts with:
//
//	role, args := durability.Role()
//	if role != "crash-writer" { t.Skip("run by TestCrash") }
func Role() (role string, args []string) {
	v := os.Getenv(childEnv)
	if v == "" {
		return "", nil
	}
	f := strings.Fields(v)
	return f[0], f[1:]
}

// Ack prints one acknowledgement line for the parent. Call it only after
// the write it reports has returned without error. Standard output is
// unbuffered, so the line is in the pipe when Ack returns.
func Ack(format string, args ...any) {
	fmt.Fprintf(os.Stdout, AckPrefix+format+"\n", args...)
}

// Child is a running child process.
type Child struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	acks []string
	cond *sync.Cond
	done chan struct{} // closed when stdout reaches EOF
	errb *strings.Builder
}

// Start re-executes the running test binary to run only the test function
// named test, playing role with args (passed in the environment, so they
// must not contain white space).
func Start(tb testing.TB, test, role string, args ...string) *Child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(append([]string{role}, args...), " "))
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	c := &Child{cmd: cmd, done: make(chan struct{}), errb: new(strings.Builder)}
	c.cond = sync.NewCond(&c.mu)
	cmd.Stderr = &lockedWriter{w: c.errb, mu: &c.mu}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go c.read(out)
	tb.Cleanup(func() {
		_ = c.cmd.Process.Kill() // already dead in the usual case
		<-c.done
	})
	return c
}

func (c *Child) read(r io.Reader) {
	defer close(c.done)
	defer func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), AckPrefix)
		c.mu.Lock()
		if ok {
			c.acks = append(c.acks, line)
		} else {
			fmt.Fprintln(c.errb, sc.Text()) // test framework chatter, or a panic
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// WaitAcks waits until the child has acknowledged at least n writes or has
// exited, and reports whether it got n.
func (c *Child) WaitAcks(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.acks) < n {
		select {
		case <-c.done:
			return len(c.acks) >= n
		default:
		}
		c.cond.Wait()
	}
	return true
}

// Kill kills the child with SIGKILL (on Windows, TerminateProcess): no
// deferred function, no cleanup, as in a crash. It waits for the process to
// end and returns every acknowledgement it printed.
func (c *Child) Kill() []string {
	_ = c.cmd.Process.Kill()
	return c.Wait()
}

// Wait waits for the child to end by itself and returns every
// acknowledgement it printed.
func (c *Child) Wait() []string {
	<-c.done
	_ = c.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.acks...)
}

// Exited reports whether the child ended by itself (not by Kill) with
// status 0. Call it after Wait.
func (c *Child) Exited() bool {
	return c.cmd.ProcessState != nil && c.cmd.ProcessState.Success()
}

// Output returns what the child printed other than acknowledgements, and
// its standard error: the place to look when it failed.
func (c *Child) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.errb.String()
}

// Pid returns the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// lockedWriter serialises writes to w with the Child's other uses of mu.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method, or 0 for none. It sorts ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(math.Ceil(p / 100 * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1]
}

// Files is a library as a crash leaves it: its main file, its write-ahead log
// and the log's index in shared memory.
type Files struct{ DB, WAL, SHM []byte }

// fileSuffixes name the files of a library after its path, in Files' order.
var fileSuffixes = [3]string{"", "-wal", "-shm"}

// ReadFiles reads the three files of the library at path, which no
// connection may have open if the copy is to be what a crash would leave.
func ReadFiles(path string) (Files, error) {
	var b [3][]byte
	for i, suffix := range fileSuffixes {
		var err error
		if b[i], err = os.ReadFile(path + suffix); err != nil {
			return Files{}, err
		}
	}
	return Files{b[0], b[1], b[2]}, nil
}

// Write puts f at path, in place of the library files there.
func (f Files) Write(path string) error {
	for i, b := range [3][]byte{f.DB, f.WAL, f.SHM} {
		if err := os.WriteFile(path+fileSuffixes[i], b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
