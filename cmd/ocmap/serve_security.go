//go:build duckdb_arrow

package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// listenPolicy is what 'ocmap serve' was told about who may reach it.
type listenPolicy struct {
	Public     bool     // --public: other computers may connect
	AllowHosts []string // --allow-host: names of this computer others use
}

// isLoopbackHost reports whether host (from --addr, without port) can only
// be reached from this computer.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// checkAddr refuses an address other computers could reach unless public
// is set; with it, it returns the warning to print.
func checkAddr(addr string, public bool) (warning string, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", addr)
	}
	if isLoopbackHost(host) {
		return "", nil
	}
	where := "the network address " + host
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		where = "every network interface"
	}
	if !public {
		return "", usagef("--addr %s listens on %s: other computers could read every figure in the database, without a password.\n"+
			"Use --addr 127.0.0.1:PORT to keep it on this computer, or add --public if others on your network must see it", addr, where)
	}
	return fmt.Sprintf("WARNING: --public: ocmap serve listens on %s (%s).\n"+
		"WARNING: anyone who can reach this computer can read every figure in the database; there is no password.\n"+
		"WARNING: stop it with Ctrl-C when you are done.\n", where, addr), nil
}

// hostGuard refuses requests whose Host header is not a name of this server
// (DNS rebinding: a web page on evil.example whose name later resolves to
// 127.0.0.1 would otherwise read the figures), and sets the security
// headers on every answer, refusals included.
type hostGuard struct {
	next   http.Handler
	port   string
	hosts  map[string]bool // lower-case host names and IP addresses accepted besides loopback
	public bool
}

// newHostGuard wraps next for a server listening on bound (the listener's
// address, with the real port when --addr asked for port 0).
func newHostGuard(next http.Handler, bound net.Addr, p listenPolicy) (*hostGuard, error) {
	host, port, err := net.SplitHostPort(bound.String())
	if err != nil {
		return nil, err
	}
	g := &hostGuard{next: next, port: port, hosts: map[string]bool{}, public: p.Public}
	if !p.Public {
		return g, nil
	}
	ip := net.ParseIP(host)
	switch {
	case ip != nil && ip.IsUnspecified():
		// Listening everywhere: accept this computer's own addresses.
		addrs, err := net.InterfaceAddrs()
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				g.hosts[n.IP.String()] = true
			}
		}
	case ip != nil:
		g.hosts[ip.String()] = true
	default:
		g.hosts[strings.ToLower(host)] = true
	}
	for _, h := range p.AllowHosts {
		g.hosts[strings.ToLower(strings.TrimSpace(h))] = true
	}
	return g, nil
}

// allowed reports whether the request's Host names this server: a loopback
// name or address, or with --public the bound address or an --allow-host
// name, each with the bound port.
func (g *hostGuard) allowed(hostHeader string) bool {
	host, port, err := net.SplitHostPort(hostHeader)
	if err != nil {
		host, port = hostHeader, "80" // no port: the scheme's default
	}
	if host == "" || port != g.port {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if isLoopbackHost(host) {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return g.public && g.hosts[host]
}

func (g *hostGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if !g.allowed(r.Host) {
		http.Error(w, fmt.Sprintf("ocmap serve answers only requests for this computer, on port %s (e.g. http://127.0.0.1:%s/); Host %s refused",
			g.port, g.port, strconv.Quote(r.Host)), http.StatusMisdirectedRequest)
		return
	}
	g.next.ServeHTTP(w, r)
}

// contentSecurityPolicy lets the page run only its own script files and
// styles (no inline script or style element, no eval), fetch only this
// server, and nothing from elsewhere; no frames, and forms only submit here.
// Scripts set element styles through the CSSOM, which style-src does not
// govern; the PNG download draws on a canvas, so images need only 'self'.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders go on every answer: the page, the JSON, the SVG and errors.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", contentSecurityPolicy},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Cache-Control", "no-store"},
}

func setSecurityHeaders(h http.Header) {
	for _, kv := range securityHeaders {
		h.Set(kv[0], kv[1])
	}
}
