package fetch

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// allowList is where fetch may go: host names (any port), host:port pairs,
// and IP prefixes. An empty list allows everything.
type allowList struct {
	hosts     map[string]bool // lower-case names and canonical IPs, any port
	suffixes  []string        // from "*.example.com": ".example.com"
	hostPorts map[string]bool // "host:port", host lower-case
	prefixes  []netip.Prefix
}

// parseAllow parses allow-list entries: "example.com", "*.example.com",
// "example.com:8443", "10.0.0.0/8", "127.0.0.1", "[::1]:8080". Empty
// entries are skipped.
func parseAllow(entries []string) (*allowList, error) {
	a := &allowList{hosts: map[string]bool{}, hostPorts: map[string]bool{}}
	for _, raw := range entries {
		s := strings.ToLower(strings.TrimSpace(raw))
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			a.prefixes = append(a.prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
			a.hosts[ip.Unmap().String()] = true
			continue
		}
		if host, port, err := net.SplitHostPort(s); err == nil {
			if host == "" || port == "" {
				return nil, fmt.Errorf("fetch: allow-list entry %q: want host, host:port or a CIDR", raw)
			}
			if ip, err := netip.ParseAddr(host); err == nil {
				host = ip.Unmap().String()
			}
			a.hostPorts[net.JoinHostPort(host, port)] = true
			continue
		}
		if strings.ContainsAny(s, "/:@ ") {
			return nil, fmt.Errorf("fetch: allow-list entry %q: want host, host:port or a CIDR", raw)
		}
		if rest, ok := strings.CutPrefix(s, "*."); ok {
			a.suffixes = append(a.suffixes, "."+rest)
			continue
		}
		a.hosts[s] = true
	}
	return a, nil
}

func (a *allowList) empty() bool {
	return len(a.hosts) == 0 && len(a.suffixes) == 0 && len(a.hostPorts) == 0 && len(a.prefixes) == 0
}

// permitsName reports whether host:port is allowed by name (or by an IP
// literal's address), without resolving it.
func (a *allowList) permitsName(host, port string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		host = ip.String()
		if a.permitsIP(ip) {
			return true
		}
	}
	if a.hosts[host] || a.hostPorts[net.JoinHostPort(host, port)] {
		return true
	}
	for _, suf := range a.suffixes {
		if strings.HasSuffix(host, suf) {
			return true
		}
	}
	return false
}

// permitsIP reports whether ip is in one of the prefixes.
func (a *allowList) permitsIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// mayResolve reports whether a name not allowed as such may still be
// reached: when prefixes are listed, the address it resolves to decides,
// at dial time.
func (a *allowList) mayResolve() bool { return len(a.prefixes) > 0 }

// CheckAllow reports the first allow-list entry that does not parse, as New
// would: for a command line to refuse a bad -fetch-allow at once.
func CheckAllow(entries []string) error {
	_, err := parseAllow(entries)
	return err
}
