//go:build duckdb_arrow

package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serveFixture ingests a few incidents on the 3x3 grid map and returns the
// page's server, guarded as 'ocmap serve' runs it on 127.0.0.1.
func serveFixture(t *testing.T) *httptest.Server {
	t.Helper()
	dir := isolate(t)
	mapPath := writeTestFile(t, dir, "grid.geojson", gridMap())
	in := writeTestFile(t, dir, "in.csv", "incident_id,category,subcategory,occurred_on,lat,lon,district_hint,source,quantity,amount_pkr,description\n"+
		"1,drug_trafficking,x,2024-01-10,32.5,70.5,,S,,,\n2,drug_trafficking,x,2024-01-11,32.5,70.5,,S,,,\n3,cybercrime,x,2024-01-12,31.5,71.5,,S,,,\n")
	db := filepath.Join(dir, "crime.duckdb")
	if code, stdout, stderr := ocmap("ingest", "-q", "--db", db, "--boundaries", mapPath, in); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	return startGuarded(t, openServer(t, db, mapPath))
}

// TestServeSecurityHeaders checks that every answer, the page, the JSON,
// the SVG and each kind of error, carries the security headers.
func TestServeSecurityHeaders(t *testing.T) {
	ts := serveFixture(t)
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name, method, path, host string
		code                     int
		contentType              string
	}{
		{"page", "GET", "/", "", 200, "text/html; charset=utf-8"},
		{"plain page", "GET", "/plain?category=drug_trafficking", "", 200, "text/html; charset=utf-8"},
		{"script", "GET", "/static/page.js", "", 200, "text/javascript; charset=utf-8"},
		{"leaflet", "GET", "/static/vendor/leaflet-1.9.4/leaflet.js", "", 200, "text/javascript; charset=utf-8"},
		{"style", "GET", "/static/page.css", "", 200, "text/css; charset=utf-8"},
		{"view", "GET", "/api/view.json?metric=gi", "", 200, "application/json"},
		{"view csv", "GET", "/api/view.csv", "", 200, "text/csv; charset=utf-8"},
		{"view geojson", "GET", "/api/view.geojson", "", 200, "application/geo+json"},
		{"base map", "GET", "/api/districts.geojson", "", 200, "application/geo+json"},
		{"meta", "GET", "/api/meta.json", "", 200, "application/json"},
		{"district", "GET", "/api/district.json?code=G5", "", 200, "application/json"},
		{"head view", "HEAD", "/api/view.json", "", 200, "application/json"},
		{"post view", "POST", "/api/view.json", "", 405, "text/plain; charset=utf-8"},
		{"put", "PUT", "/api/view.csv", "", 405, "text/plain; charset=utf-8"},
		{"json", "GET", "/heatmap.json?category=cybercrime", "", 200, "application/json"},
		{"svg", "GET", "/map.svg?metric=count", "", 200, "image/svg+xml"},
		{"head", "HEAD", "/", "", 200, "text/html; charset=utf-8"},
		{"not found", "GET", "/favicon.ico", "", 404, "text/plain; charset=utf-8"},
		{"bad query", "GET", "/heatmap.json?metric=nope", "", 400, "text/plain; charset=utf-8"},
		{"post", "POST", "/", "", 405, "text/plain; charset=utf-8"},
		{"rebinding host", "GET", "/", "evil.example:" + strconv.Itoa(port), 421, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if got, want := resp.StatusCode, tt.code; got != want {
				t.Errorf("status %d, want %d", got, want)
			}
			if got, want := resp.Header.Get("Content-Type"), tt.contentType; got != want {
				t.Errorf("Content-Type %q, want %q", got, want)
			}
			for _, kv := range [][2]string{
				{"X-Content-Type-Options", "nosniff"},
				{"X-Frame-Options", "DENY"},
				{"Referrer-Policy", "no-referrer"},
				{"Cache-Control", "no-store"},
				{"Content-Security-Policy", contentSecurityPolicy},
			} {
				if got, want := resp.Header.Get(kv[0]), kv[1]; got != want {
					t.Errorf("%s: %q, want %q", kv[0], got, want)
				}
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q has no %q", csp, want)
				}
			}
			for _, bad := range []string{"unsafe", "http:", "https:", "data:", "blob:", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("Content-Security-Policy %q allows %q", csp, bad)
				}
			}
		})
	}
}

var (
	scriptElement = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	localRef      = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
)

// TestServePageFitsPolicy checks that the pages the browser gets need no
// more than the policy allows: no inline script or style, no style
// attribute, nothing from another origin; every script is a file of this
// server, and every file they name is there.
func TestServePageFitsPolicy(t *testing.T) {
	ts := serveFixture(t)
	for _, path := range []string{"/", "/plain?category=drug_trafficking"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := string(body)
			for _, m := range scriptElement.FindAllStringSubmatch(page, -1) {
				if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], `src="/static/`) {
					t.Errorf("inline or outside script %q: the policy allows only this server's script files", m[0])
				}
			}
			// The SVG's namespace is the one URL allowed: it is no fetch.
			page = strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
			for _, bad := range []string{"<style", " style=", "<img", "<iframe", "javascript:", "http://", "https://", " on"} {
				if bad == " on" {
					// Inline event handlers (onclick=...) are inline script.
					if regexp.MustCompile(`<[^>]+\son[a-z]+=`).MatchString(page) {
						t.Errorf("the page has an inline event handler, which its policy would block")
					}
					continue
				}
				if strings.Contains(page, bad) {
					t.Errorf("the page contains %q, which its Content-Security-Policy would block", bad)
				}
			}
			refs := localRef.FindAllStringSubmatch(page, -1)
			if len(refs) == 0 {
				t.Errorf("the page names no file of its own (stylesheet or script)")
			}
			for _, m := range refs {
				r, err := http.Get(ts.URL + m[1])
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusOK {
					t.Errorf("the page names %s, which answers %d", m[1], r.StatusCode)
				}
			}
		})
	}
}

// TestServeHostGuard checks the DNS rebinding protection: only requests
// for a loopback name with the bound port, or with --public for the bound
// address or an --allow-host name, are answered.
func TestServeHostGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	lan := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 8080}
	tests := []struct {
		name   string
		bound  net.Addr
		policy listenPolicy
		host   string
		want   int
	}{
		{"loopback address", loop, listenPolicy{}, "127.0.0.1:8080", 200},
		{"localhost", loop, listenPolicy{}, "localhost:8080", 200},
		{"localhost upper case", loop, listenPolicy{}, "LocalHost:8080", 200},
		{"ipv6 loopback", loop, listenPolicy{}, "[::1]:8080", 200},
		{"rebinding name", loop, listenPolicy{}, "evil.example:8080", 421},
		{"rebinding name without port", loop, listenPolicy{}, "evil.example", 421},
		{"other port", loop, listenPolicy{}, "127.0.0.1:9090", 421},
		{"no port means 80", loop, listenPolicy{}, "localhost", 421},
		{"no host", loop, listenPolicy{}, "", 421},
		{"lan address without public", lan, listenPolicy{}, "192.0.2.10:8080", 421},
		{"lan address with public", lan, listenPolicy{Public: true}, "192.0.2.10:8080", 200},
		{"loopback with public", lan, listenPolicy{Public: true}, "localhost:8080", 200},
		{"rebinding name with public", lan, listenPolicy{Public: true}, "evil.example:8080", 421},
		{"allowed name", lan, listenPolicy{Public: true, AllowHosts: []string{"Stats-PC.local"}}, "stats-pc.local:8080", 200},
		{"allowed name, other port", lan, listenPolicy{Public: true, AllowHosts: []string{"stats-pc.local"}}, "stats-pc.local:80", 421},
		{"everywhere: other address", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, listenPolicy{Public: true}, "192.0.2.99:8080", 421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := newHostGuard(ok, tt.bound, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tt.host
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if got, want := w.Code, tt.want; got != want {
				t.Errorf("Host %q: %d, want %d (%s)", tt.host, got, want, w.Body)
			}
			if got, want := w.Header().Get("X-Frame-Options"), "DENY"; got != want {
				t.Errorf("X-Frame-Options %q, want %q", got, want)
			}
		})
	}
}

// TestServeAddr checks that an address other computers can reach needs
// --public, and that --public then warns.
func TestServeAddr(t *testing.T) {
	tests := []struct {
		addr    string
		public  bool
		err     string // part of the error; "" for none
		warning string // part of the warning; "" for none
	}{
		{"127.0.0.1:8080", false, "", ""},
		{"127.0.0.1:0", false, "", ""},
		{"localhost:8080", false, "", ""},
		{"[::1]:0", false, "", ""},
		{"127.0.0.1:8080", true, "", ""},
		{":0", false, "listens on every network interface", ""},
		{"0.0.0.0:0", false, "listens on every network interface", ""},
		{"[::]:8080", false, "listens on every network interface", ""},
		{"192.0.2.10:8080", false, "listens on the network address 192.0.2.10", ""},
		{"stats-pc:8080", false, "listens on the network address stats-pc", ""},
		{"8080", false, "want HOST:PORT", ""},
		{":0", true, "", "WARNING: --public: ocmap serve listens on every network interface (:0)"},
		{"0.0.0.0:8080", true, "", "anyone who can reach this computer can read every figure"},
		{"192.0.2.10:8080", true, "", "listens on the network address 192.0.2.10"},
	}
	for _, tt := range tests {
		warning, err := checkAddr(tt.addr, tt.public)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("checkAddr(%q, %v): error %v, want one with %q", tt.addr, tt.public, err, tt.err)
		}
		if tt.warning == "" && warning != "" || !strings.Contains(warning, tt.warning) {
			t.Errorf("checkAddr(%q, %v): warning %q, want %q", tt.addr, tt.public, warning, tt.warning)
		}
	}
	// The command refuses before it opens anything.
	isolate(t)
	for _, args := range [][]string{
		{"--addr", ":0"},
		{"--addr", "0.0.0.0:0"},
		{"--allow-host", "stats-pc", "--addr", "127.0.0.1:0"},
	} {
		code, stdout, stderr := ocmap(append([]string{"serve", "--db", "none.duckdb"}, args...)...)
		if got, want := code, exitUsage; got != want || !strings.Contains(stderr, "--public") {
			t.Errorf("serve %v: exit %d, want %d with a word on --public\n%s%s", args, got, want, stdout, stderr)
		}
	}
}

// TestServePageInChromium opens the page without script in headless
// Chromium: the policy blocks nothing (Chromium logs each refusal) and the
// map is drawn. TestServePageInBrowser drives the interactive page.
func TestServePageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs chromium for the page screenshot test")
		}
		t.Skip("chromium is not installed")
	}
	ts := serveFixture(t)
	shot := filepath.Join(t.TempDir(), "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--window-size=1200,1400", "--screenshot="+shot,
		ts.URL+"/plain?category=drug_trafficking")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Content Security Policy") {
		t.Errorf("chromium refused part of the page:\n%s", out)
	}
	if n := classColours(t, shot); n < 2 {
		t.Errorf("the page's screenshot shows %d map class colours, want at least 2: the map is not drawn", n)
	}
}
