package durability

import (
	"strconv"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 99, 0},
		{ms(5), 50, 5 * time.Millisecond},
		{ms(3, 1, 2), 50, 2 * time.Millisecond},
		{ms(3, 1, 2), 100, 3 * time.Millisecond},
		{ms(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), 99, 100 * time.Millisecond},
		{ms(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), 90, 90 * time.Millisecond},
		{ms(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), 1, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.ds, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.ds, tt.p, got, tt.want)
		}
	}
}

func TestN(t *testing.T) {
	tests := []struct {
		env     string
		wantN   int
		wantDur time.Duration
	}{
		{"", 3, time.Second},
		{"0", 3, time.Second},
		{"1", 300, time.Minute},
	}
	for _, tt := range tests {
		t.Setenv(StressEnv, tt.env)
		if got := N(3, 300); got != tt.wantN {
			t.Errorf("%s=%q: N(3, 300) = %d, want %d", StressEnv, tt.env, got, tt.wantN)
		}
		if got := Duration(time.Second, time.Minute); got != tt.wantDur {
			t.Errorf("%s=%q: Duration(1s, 1m) = %v, want %v", StressEnv, tt.env, got, tt.wantDur)
		}
	}
}

// TestCounterChild counts and acknowledges as fast as it can until killed,
// or up to its argument and then exits.
func TestCounterChild(t *testing.T) {
	role, args := Role()
	if role != "counter" {
		t.Skip("the child process of TestStartKill")
	}
	limit, err := strconv.Atoi(args[0])
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; limit < 0 || n < limit; n++ {
		Ack("%d", n)
	}
}

func TestStartKill(t *testing.T) {
	// Killed: the acknowledgements are whole lines, in order, from 0.
	c := Start(t, "TestCounterChild", "counter", "-1")
	if !c.WaitAcks(100) {
		t.Fatalf("the child stopped early:\n%s", c.Output())
	}
	acks := c.Kill()
	if c.Exited() {
		t.Error("Exited() = true after Kill")
	}
	if len(acks) < 100 {
		t.Fatalf("%d acknowledgements, want at least 100", len(acks))
	}
	for i, a := range acks {
		if a != strconv.Itoa(i) {
			t.Fatalf("acknowledgement %d = %q, want %d", i, a, i)
		}
	}
	// Left to finish: all of them, and a clean exit.
	c = Start(t, "TestCounterChild", "counter", "5")
	if got := c.Wait(); len(got) != 5 || !c.Exited() {
		t.Errorf("Wait() = %q, Exited() = %v; want 5 acknowledgements and a clean exit\n%s", got, c.Exited(), c.Output())
	}
	if c.WaitAcks(6) {
		t.Error("WaitAcks(6) = true from a child that printed 5")
	}
}

func TestPeakRSS(t *testing.T) {
	rss, ok := PeakRSS()
	if !ok {
		t.Skip("the system does not report peak memory")
	}
	// A Go test process holds at least a megabyte and, here, far less than
	// a terabyte: the units are right.
	if rss < 1<<20 || rss > 1<<40 {
		t.Errorf("PeakRSS() = %d bytes", rss)
	}
}
