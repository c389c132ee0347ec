package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// localPrefixes are the ranges IsLocal reports: loopback, private, link-local,
// CGNAT, unspecified, multicast and reserved addresses.
var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network", incl. 0.0.0.0
	netip.MustParsePrefix("10.0.0.0/8"),     // private
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("127.0.0.0/8"),    // loopback
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, incl. cloud metadata 169.254.169.254
	netip.MustParsePrefix("172.16.0.0/12"),  // private
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("192.168.0.0/16"), // private
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("224.0.0.0/3"),    // multicast, reserved, broadcast
	netip.MustParsePrefix("::/96"),          // unspecified, loopback, old IPv4-compatible
	netip.MustParsePrefix("fc00::/7"),       // unique local
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("fec0::/10"),      // old site-local
	netip.MustParsePrefix("ff00::/8"),       // multicast
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// IsLocal reports whether a is not a public Internet address: loopback,
// private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
// fe80::/10), unspecified, CGNAT (100.64/10), multicast or reserved. IPv6
// forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that
// address. An invalid address counts as local.
func IsLocal(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.WithZone("").Unmap()
	switch {
	case nat64.Contains(a):
		b := a.As16()
		return IsLocal(netip.AddrFrom4([4]byte(b[12:])))
	case sixToFour.Contains(a):
		b := a.As16()
		return IsLocal(netip.AddrFrom4([4]byte(b[2:6])))
	}
	for _, p := range localPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var errNoAddress = errors.New("no addresses")

// dnsError is a failed host-name lookup.
type dnsError struct {
	host string
	err  error
}

func (e *dnsError) Error() string { return "look up " + e.host + ": " + e.err.Error() }
func (e *dnsError) Unwrap() error { return e.err }

// blockedError is a connection refused because it would reach a local address.
type blockedError struct {
	host string
	addr netip.Addr
}

func (e *blockedError) Error() string {
	return fmt.Sprintf("%s is the local address %s", e.host, e.addr)
}

// resolve returns the addresses of host, an IP literal or a name.
func (c *Client) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	addrs, err := c.opts.Resolver(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = errNoAddress
	}
	if err != nil {
		return nil, &dnsError{host: host, err: err}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// dialer resolves the host itself, checks every address, and dials only the
// checked addresses, so a DNS answer that changes between check and
// connection (DNS rebinding) cannot reach a local address.
type dialer struct {
	c          *Client
	publicOnly bool
	net        net.Dialer
}

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := d.c.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if d.publicOnly {
		for _, a := range addrs {
			if d.c.opts.IsLocal(a) {
				return nil, &blockedError{host: host, addr: a}
			}
		}
	}
	var first error
	for _, a := range addrs {
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}
