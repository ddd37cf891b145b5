package bundle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// Remote is what a live server presented in a TLS handshake.
type Remote struct {
	// Addr is the host:port dialled.
	Addr string
	// ServerName is the SNI name sent (empty for an IP address).
	ServerName string
	// Certs are the certificates in the order the server sent them.
	Certs []*x509.Certificate
	// State is the negotiated connection (version, suite, stapled OCSP).
	State tls.ConnectionState
}

// DefaultDialTimeout bounds FromServer when the context has no deadline.
const DefaultDialTimeout = 10 * time.Second

// FromServer connects to addr (host:port) with crypto/tls and returns the
// chain the server presents, without judging it: trust, names and dates are
// for the verify package. serverName overrides the SNI name, which is
// otherwise the host of addr (none for an IP address).
func FromServer(ctx context.Context, addr, serverName string) (*Remote, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s: not a host:port address", addr)
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultDialTimeout)
		defer cancel()
	}
	d := &tls.Dialer{Config: &tls.Config{
		ServerName: serverName,
		// The chain is inspected, not trusted, here: verify judges it.
		InsecureSkipVerify: true, //nolint:gosec // intentional, see above
		NextProtos:         []string{"h2", "http/1.1"},
	}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, dialError(err))
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	if len(state.PeerCertificates) == 0 {
		return nil, fmt.Errorf("%s: server sent no certificate", addr)
	}
	return &Remote{Addr: addr, ServerName: serverName, Certs: state.PeerCertificates, State: state}, nil
}

// ErrUnreachable marks a server that could not be reached or did not
// complete a TLS handshake.
var ErrUnreachable = errors.New("cannot connect")

func dialError(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Errorf("%w: %v", ErrUnreachable, opErr.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: timed out", ErrUnreachable)
	}
	return fmt.Errorf("%w: TLS handshake failed: %v", ErrUnreachable, err)
}
