package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// originHostPort normalizes an origin given as a URL or as host:port.
func originHostPort(origin string) (string, bool) {
	origin = strings.TrimSpace(origin)
	if strings.Contains(origin, "://") {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" {
			return "", false
		}
		return urlHostPort(u), true
	}
	host, port, err := net.SplitHostPort(origin)
	if err != nil || host == "" || port == "" {
		return "", false
	}
	return normalHostPort(host, port), true
}

// urlHostPort returns the host:port a request to u connects to, in the same
// normal form as originHostPort.
func urlHostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		default:
			port = "80"
		}
	}
	return normalHostPort(u.Hostname(), port)
}

// normalHostPort lowercases the host and drops a trailing dot so that
// equivalent spellings compare equal.
func normalHostPort(host, port string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return net.JoinHostPort(host, port)
}

// addrHostPort normalizes a dial address ("host:port").
func addrHostPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return normalHostPort(host, port)
}

// checkDial is a net.Dialer ControlContext: it runs on the address about to
// be connected to, after name resolution, and refuses non-public ones.
func checkDial(_ context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("fetch: dial %s %s: unparsable address: %w", network, address, ErrBlockedAddress)
	}
	if !isPublic(ap.Addr()) {
		return fmt.Errorf("fetch: dial %s %s: %w", network, address, ErrBlockedAddress)
	}
	return nil
}

// isPublic reports whether ip is a globally routable unicast address:
// not loopback, private, link-local, CGNAT, multicast, documentation,
// benchmarking, reserved or unspecified. IPv4 addresses embedded in
// IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged as IPv4.
func isPublic(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return isPublic4(ip)
	}
	b := ip.As16()
	// NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address.
	if inPrefix(ip, netip.PrefixFrom(netip.AddrFrom16([16]byte{0x00, 0x64, 0xff, 0x9b}), 96)) {
		return isPublic4(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	// Global unicast is 2000::/3; everything else (::/8, fc00::/7,
	// fe80::/10, ff00::/8, 64:ff9b:1::/48, 100::/64, ...) is not public.
	if b[0]&0xe0 != 0x20 {
		return false
	}
	// 6to4 2002::/16 carries an IPv4 address.
	if b[0] == 0x20 && b[1] == 0x02 {
		return isPublic4(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	for _, p := range [...]netip.Prefix{
		p6([16]byte{0x20, 0x01, 0x0d, 0xb8}, 32), // documentation
		p6([16]byte{0x20, 0x01, 0x00, 0x02}, 48), // benchmarking
		p6([16]byte{0x20, 0x01, 0x00, 0x10}, 28), // ORCHID
		p6([16]byte{0x20, 0x01, 0x00, 0x20}, 28), // ORCHIDv2
		p6([16]byte{0x3f, 0xff}, 20),             // documentation
		p6([16]byte{0x20, 0x01}, 32),             // Teredo tunnels
	} {
		if inPrefix(ip, p) {
			return false
		}
	}
	return true
}

// isPublic4 is isPublic for IPv4.
func isPublic4(ip netip.Addr) bool {
	for _, p := range [...]netip.Prefix{
		p4(0, 0, 0, 0, 8),       // "this network", unspecified
		p4(10, 0, 0, 0, 8),      // private
		p4(100, 64, 0, 0, 10),   // CGNAT shared address space
		p4(127, 0, 0, 0, 8),     // loopback
		p4(169, 254, 0, 0, 16),  // link-local (cloud metadata)
		p4(172, 16, 0, 0, 12),   // private
		p4(192, 0, 0, 0, 24),    // IETF protocol assignments
		p4(192, 0, 2, 0, 24),    // TEST-NET-1
		p4(192, 88, 99, 0, 24),  // 6to4 relay anycast (deprecated)
		p4(192, 168, 0, 0, 16),  // private
		p4(198, 18, 0, 0, 15),   // benchmarking
		p4(198, 51, 100, 0, 24), // TEST-NET-2
		p4(203, 0, 113, 0, 24),  // TEST-NET-3
		p4(224, 0, 0, 0, 4),     // multicast
		p4(240, 0, 0, 0, 4),     // reserved, broadcast
	} {
		if inPrefix(ip, p) {
			return false
		}
	}
	return true
}

func p4(a, b, c, d byte, bits int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{a, b, c, d}), bits)
}

func p6(a [16]byte, bits int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom16(a), bits)
}

func inPrefix(ip netip.Addr, p netip.Prefix) bool {
	return p.Contains(ip)
}
