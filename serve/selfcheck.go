package serve

import (
	"context"
	"crypto/x509"
	"net"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
)

// SelfGrade is the server's grade of itself by ../shared/GRADING.md: the
// Result of package grade (its JSON keys at the top level, see
// docs/grade.md) and when it was made. Result is nil when the check could
// not run; Error then says why.
type SelfGrade struct {
	*grade.Result
	// CheckedAt is when the check started.
	CheckedAt time.Time `json:"checked_at"`
	// Error says why the check could not run; empty when it did.
	Error string `json:"error,omitempty"`
}

// SelfCheck grades the server over loopback with package grade, trusting
// roots (nil means the system store plus the Mozilla roots), and keeps
// the result for the built-in page. The certificate is checked against
// the name ClientName picks from the leaf.
func (s *Server) SelfCheck(ctx context.Context, roots *bundle.Roots) (*SelfGrade, error) {
	sg := &SelfGrade{CheckedAt: time.Now().UTC().Truncate(time.Second)}
	res, err := grade.Grade(ctx, loopbackAddr(s.Addr()), grade.Options{
		ServerName: ClientName(s.Certificate().Chain[0]),
		Roots:      roots,
	})
	if err != nil {
		sg.Error = err.Error()
		s.grade.Store(sg)
		return sg, err
	}
	sg.Result = res
	s.grade.Store(sg)
	return sg, nil
}

// LastSelfGrade returns the latest self-check, or nil before the first.
func (s *Server) LastSelfGrade() *SelfGrade { return s.grade.Load() }

// loopbackAddr turns the listening address into one to dial: an
// unspecified address (0.0.0.0, ::) becomes 127.0.0.1, which a dual-stack
// listener accepts too and which works where IPv6 is off.
func loopbackAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// ClientName picks the name a client would use for leaf: its first DNS name
// (a wildcard's "*" made "www"), else its first IP address, else its
// common name.
func ClientName(leaf *x509.Certificate) string {
	if len(leaf.DNSNames) > 0 {
		n := leaf.DNSNames[0]
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			n = "www." + rest
		}
		return n
	}
	if len(leaf.IPAddresses) > 0 {
		return leaf.IPAddresses[0].String()
	}
	return leaf.Subject.CommonName
}
