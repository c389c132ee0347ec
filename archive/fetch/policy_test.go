package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
)

// redirector redirects /to?u=X to X and serves a page elsewhere.
func redirector() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u := r.URL.Query().Get("u"); u != "" {
			http.Redirect(w, r, u, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, article)
	}
}

func port(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestLocalAddressPolicy(t *testing.T) {
	local := serve(t, redirector())        // 127.0.0.1: local
	public := servePublic(t, redirector()) // 127.0.0.2: public to the test classifier
	lp, pp := port(t, local.URL), port(t, public.URL)
	to := func(base, target string) string { return base + "/to?u=" + url.QueryEscape(target) }

	tests := []struct {
		name      string
		url       string
		policy    Policy
		wantKind  Kind
		wantLocal bool
		wantMsg   string // for errors
	}{
		{"public page", "http://public.test:" + pp + "/", AsAsked, 0, false, ""},
		{"public to public", to("http://public.test:"+pp, "http://public.test:"+pp+"/next"), AsAsked, 0, false, ""},
		{"public to loopback IP", to(public.URL, local.URL+"/secret"), AsAsked, Blocked, false,
			local.URL + "/secret: refused to reach 127.0.0.1, an address on the local network, from a public page"},
		{"public to local name", to("http://public.test:"+pp, "http://intranet.test:"+lp+"/"), AsAsked, Blocked, false,
			"http://intranet.test:" + lp + "/: refused to reach 127.0.0.1, an address on the local network, from a public page"},
		{"public to file", to(public.URL, "file:///etc/passwd"), AsAsked, Blocked, false,
			"file:///etc/passwd: refused to follow a redirect to a non-web address"},
		{"local asked", local.URL + "/", AsAsked, 0, true, ""},
		{"local to other local host", to(local.URL, "http://intranet.test:"+lp+"/"), AsAsked, 0, true, ""},
		{"local to public", to("http://localhost:"+lp, "http://public.test:"+pp+"/"), AsAsked, 0, true, ""},
		{"public only: local", local.URL + "/", PublicOnly, Blocked, false,
			local.URL + "/: refused to reach 127.0.0.1, an address on the local network, from a public page"},
		{"public only: public", "http://public.test:" + pp + "/", PublicOnly, 0, false, ""},
		{"local allowed: local", local.URL + "/", LocalAllowed, 0, true, ""},
	}
	c := newClient(t, Options{}) // one client: connections must not leak between policies
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Get(context.Background(), Request{URL: tt.url, Want: WantHTML, Policy: tt.policy})
			if kindOf(err) != tt.wantKind {
				t.Fatalf("error %v, want kind %v", err, tt.wantKind)
			}
			if err != nil {
				if err.Error() != tt.wantMsg {
					t.Errorf("message\n got %q\nwant %q", err, tt.wantMsg)
				}
				return
			}
			if got.Local != tt.wantLocal || string(got.Body) != article {
				t.Errorf("Local = %v, want %v (body %q)", got.Local, tt.wantLocal, got.Body)
			}
		})
	}
}

// TestDNSRebinding resolves a name to a public address for the first look-up
// and to loopback afterwards: the check at dial time must catch it.
func TestDNSRebinding(t *testing.T) {
	public := servePublic(t, redirector())
	var lookups atomic.Int32
	rebind := func(_ context.Context, host string) ([]netip.Addr, error) {
		if lookups.Add(1) == 1 {
			return []netip.Addr{publicLoopback}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	c := newClient(t, Options{Resolver: rebind})
	_, err := c.Page(context.Background(), "http://rebind.test:"+port(t, public.URL)+"/")
	if kindOf(err) != Blocked {
		t.Fatalf("error %v, want Blocked", err)
	}
	if n := lookups.Load(); n != 2 {
		t.Errorf("%d look-ups, want 2 (the policy decision, then the dial)", n)
	}
}

// TestMixedAnswer blocks a name that resolves to a public and a local
// address: every address is checked, not just the first.
func TestMixedAnswer(t *testing.T) {
	public := servePublic(t, redirector())
	mixed := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{publicLoopback, netip.MustParseAddr("10.0.0.1")}, nil
	}
	c := newClient(t, Options{Resolver: mixed})
	_, err := c.Get(context.Background(), Request{URL: "http://mixed.test:" + port(t, public.URL) + "/", Policy: PublicOnly})
	var e *Error
	if !errors.As(err, &e) || e.Kind != Blocked {
		t.Fatalf("error %v, want Blocked", err)
	}
}

func TestEmbedPolicy(t *testing.T) {
	local := serve(t, redirector())
	public := servePublic(t, redirector())
	c := newClient(t, Options{})
	tests := []struct {
		url  string
		want Policy
	}{
		{local.URL, LocalAllowed},
		{public.URL, PublicOnly},
	}
	for _, tt := range tests {
		p, err := c.Page(context.Background(), tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.EmbedPolicy(); got != tt.want {
			t.Errorf("EmbedPolicy of %s = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestIsLocal(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.128.0.1", false},
		{"0.0.0.0", true},
		{"255.255.255.255", true},
		{"224.0.0.1", true},
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"::", true},
		{"::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::a00:1", true}, // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", false},
		{"2002:c0a8:101::1", true}, // 6to4 of 192.168.1.1
		{"2606:4700:4700::1111", false},
	}
	for _, tt := range tests {
		if got := IsLocal(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsLocal(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if !IsLocal(netip.Addr{}) {
		t.Error("IsLocal(invalid) = false, want true")
	}
}

// TestResolveLiteral checks that IP literals are used as they are, without
// asking the resolver.
func TestResolveLiteral(t *testing.T) {
	c := New(Options{Resolver: func(context.Context, string) ([]netip.Addr, error) {
		return nil, errors.New("resolver must not be called for a literal")
	}})
	defer c.CloseIdleConnections()
	for _, host := range []string{"127.0.0.1", "::1", "::ffff:10.0.0.1"} {
		got, err := c.resolve(context.Background(), host)
		if err != nil || len(got) != 1 || got[0] != netip.MustParseAddr(host).Unmap() {
			t.Errorf("resolve(%s) = %v, %v", host, got, err)
		}
	}
	var dnsErr *dnsError
	if _, err := c.resolve(context.Background(), "example.test"); !errors.As(err, &dnsErr) {
		t.Errorf("resolve(name) error %v, want *dnsError", err)
	}
}
