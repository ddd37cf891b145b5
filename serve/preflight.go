package serve

import (
	"net"
	"net/url"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/shellquote"
	"github.com/chaintool/chaintool/verify"
)

// Preflight is what is known about a certificate before serving it:
// verify's report on the chain and key, the errors that must stop a
// server, and the roots that make the chain trusted.
type Preflight struct {
	// Report is verify.Check's report on the chain and its key.
	Report *verify.Report
	// Blocking are the report's errors except an untrusted root: a test
	// server may well use a private CA, but never a wrong key, a wrong
	// order, a missing intermediate or an expired certificate.
	Blocking []verify.Finding
	// Trust holds the roots given and the root the chain's path ends at,
	// which may be a private one: what a client (and SelfCheck) trusts.
	Trust *bundle.Roots
}

// Check verifies cert's chain and key against roots (nil means the
// system store plus the Mozilla roots) before it is served.
func Check(cert *Certificate, roots *bundle.Roots) *Preflight {
	report := verify.Check(cert.Chain, cert.Key, verify.Options{Roots: roots})
	trust := &bundle.Roots{}
	if roots != nil {
		for _, a := range roots.Anchors {
			trust.Add(a)
		}
	}
	if n := len(report.Path); n > 0 && report.Path[n-1].Role == verify.RoleRoot {
		trust.Add(bundle.Anchor{Cert: report.Path[n-1].Cert, Source: "bundle"})
	}
	return &Preflight{Report: report, Blocking: report.ErrorsExcept(verify.UntrustedRoot), Trust: trust}
}

// Roots returns a root store holding only the demo root.
func (d *Demo) Roots() *bundle.Roots {
	r := &bundle.Roots{}
	r.Add(bundle.Anchor{Cert: d.Root, Source: "demo"})
	return r
}

// CurlCommand is a curl command line that fetches the server's page and
// trusts its certificate: --cacert rootFile when given, and --resolve
// when the leaf is not valid for the listening address (a certificate for
// www.example.com served on 127.0.0.1).
func (s *Server) CurlCommand(rootFile string) string {
	u, _ := url.Parse(s.URL())
	leaf := s.Certificate().Chain[0]
	cmd := "curl"
	if rootFile != "" {
		cmd += " --cacert " + shellquote.Quote(rootFile)
	}
	if leaf.VerifyHostname(u.Hostname()) != nil {
		name := ClientName(leaf)
		cmd += " --resolve " + net.JoinHostPort(name, u.Port()) + ":" + u.Hostname()
		u.Host = net.JoinHostPort(name, u.Port())
	}
	return cmd + " " + u.String()
}
