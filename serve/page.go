package serve

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// Page is what the built-in page shows, and its JSON form
// (GET /?format=json). The JSON keys are stable; see docs/serve.md.
type Page struct {
	// Chain is the certificate chain being served, in the order it is
	// sent, each certificate as `chaintool inspect --json` describes it.
	Chain []bundle.CertSummary `json:"chain"`
	// Connection is the visitor's own connection.
	Connection ConnInfo `json:"connection"`
	// HSTS is the Strict-Transport-Security value every response carries.
	HSTS string `json:"hsts"`
	// SelfGrade is the server's latest grade of itself, or null before
	// the first one.
	SelfGrade *SelfGrade `json:"self_grade"`
}

// ConnInfo describes the TLS connection a request arrived on.
type ConnInfo struct {
	HTTPProtocol string `json:"http_protocol"` // "HTTP/2.0", "HTTP/1.1"
	TLSVersion   string `json:"tls_version"`   // "TLS 1.3"
	CipherSuite  string `json:"cipher_suite"`  // IANA name
	Group        string `json:"group"`         // "X25519MLKEM768", "X25519", "P-256"
	ALPN         string `json:"alpn"`
	ServerName   string `json:"server_name"` // SNI sent by the client
	Resumed      bool   `json:"resumed"`
}

// summaries describes chain; DaysLeft and the validity flags are judged
// again at each request by refresh.
func summaries(chain []*x509.Certificate) []bundle.CertSummary {
	out := make([]bundle.CertSummary, len(chain))
	now := time.Now()
	for i, c := range chain {
		out[i] = bundle.Summarize(c, now)
	}
	return out
}

// refresh returns a copy of sums judged at now, as inspect judges them.
func refresh(sums []bundle.CertSummary, now time.Time) []bundle.CertSummary {
	out := make([]bundle.CertSummary, len(sums))
	for i, s := range sums {
		out[i] = s.JudgedAt(now)
	}
	return out
}

func connInfo(r *http.Request) ConnInfo {
	ci := ConnInfo{HTTPProtocol: r.Proto}
	if st := r.TLS; st != nil {
		ci.TLSVersion = tls.VersionName(st.Version)
		ci.CipherSuite = tls.CipherSuiteName(st.CipherSuite)
		ci.Group = GroupName(st.CurveID)
		ci.ALPN = st.NegotiatedProtocol
		ci.ServerName = st.ServerName
		ci.Resumed = st.DidResume
	}
	return ci
}

// PageFor returns the page as a visitor on r sees it now.
func (s *Server) PageFor(r *http.Request) *Page {
	return &Page{Chain: refresh(s.current.Load().summaries, time.Now()), Connection: connInfo(r), HSTS: s.hsts.String(), SelfGrade: s.grade.Load()}
}

// pageHandler serves the built-in page at "/" and 404 elsewhere.
func (s *Server) pageHandler(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	if r.URL.Path != "/" {
		notFound(w)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	page := s.PageFor(r)
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(page)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, page)
}

func wantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "json":
		return true
	case "html":
		return false
	}
	accept := r.Header.Get("Accept")
	return strings.HasPrefix(accept, "application/json")
}

func (s *Server) contentHandler() (http.Handler, error) {
	if s.opts.Dir != "" {
		files, err := newFileHandler(s.opts.Dir)
		if err != nil {
			return nil, err
		}
		s.files.Store(files)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.files.Load().ServeHTTP(w, r)
		}), nil
	}
	return http.HandlerFunc(s.pageHandler), nil
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"fingerprint": func(h string) string {
		var b strings.Builder
		for i := 0; i < len(h); i += 2 {
			if i > 0 {
				b.WriteByte(':')
			}
			b.WriteString(strings.ToUpper(h[i : i+2]))
		}
		return b.String()
	},
	"date":     func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") },
	"validity": func(c bundle.CertSummary) string { return c.Validity(time.Now()) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chaintool serve</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
code { font-size: .8rem; word-break: break-all; } .grade { font-size: 2.5rem; font-weight: bold; }
.bad { color: #b00; } .warn { color: #a60; }
</style>
</head>
<body>
<h1>chaintool test server</h1>
<p>Every response carries <code>Strict-Transport-Security: {{.HSTS}}</code>. This page as JSON: <a href="?format=json">?format=json</a>.</p>

<h2>Your connection</h2>
<table>
<tr><th>TLS version</th><td>{{.Connection.TLSVersion}}</td></tr>
<tr><th>Cipher suite</th><td>{{.Connection.CipherSuite}}</td></tr>
<tr><th>Key exchange group</th><td>{{with .Connection.Group}}{{.}}{{else}}none{{end}}</td></tr>
<tr><th>HTTP</th><td>{{.Connection.HTTPProtocol}}{{if .Connection.Resumed}}, resumed session{{end}}</td></tr>
<tr><th>Server name sent</th><td>{{with .Connection.ServerName}}{{.}}{{else}}none (no SNI){{end}}</td></tr>
</table>

<h2>Certificate chain served</h2>
<table>
<tr><th>#</th><th>Certificate</th><th>Expires</th><th>SHA-256</th></tr>
{{range $i, $c := .Chain}}<tr>
<td>{{$i}}<br>{{$c.Role}}</td>
<td><b>{{$c.Subject}}</b><br>issued by {{$c.Issuer}}<br>{{$c.KeyDescription}}</td>
<td>{{date $c.NotAfter}}<br>{{if or $c.Expired $c.NotYetValid}}<span class="bad">{{validity $c}}</span>{{else if lt $c.DaysLeft 30}}<span class="warn">{{validity $c}}</span>{{else}}{{validity $c}}{{end}}</td>
<td><code>{{fingerprint $c.SHA256}}</code></td>
</tr>{{end}}
</table>

<h2>Self-grade</h2>
{{with .SelfGrade}}{{if .Error}}<p class="bad">The self-check failed: {{.Error}}</p>{{else}}
<p><span class="grade">{{.Grade}}</span> score {{.Score}} (protocol support {{.ProtocolScore}}, key exchange {{.KeyExchangeScore}}, cipher strength {{.CipherScore}}),
graded by the SSL Labs rating guide over loopback on {{date .CheckedAt}}, in {{.DurationMS}} ms.</p>
{{if .Caps}}<p>Capped:</p><ul>{{range .Caps}}<li>{{.Grade}}: {{.Reason}}</li>{{end}}</ul>{{end}}
{{if .Warnings}}<p>Warnings:</p><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}{{else}}<p>Not graded yet.</p>{{end}}
</body>
</html>
`))
