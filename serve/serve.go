// Package serve is chaintool's test HTTPS server: the TLS profile that earns
// an SSL Labs A+ (TLS 1.2 and 1.3, Mozilla's intermediate suites, explicit
// groups, HTTP/2), the handler that puts HSTS on every response, a built-in
// page describing the chain and the visitor's connection, static files
// that cannot escape their folder, and a life cycle people can leave
// running: timeouts on everything, certificate reload without dropping
// connections, graceful shutdown.
//
// The package never prints or exits: logs go to the writers in Options and
// results are returned as values and errors.
package serve

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"golang.org/x/net/netutil"
)

// Defaults of Options. The header timeout also bounds the TLS handshake.
const (
	DefaultAddr              = "127.0.0.1:8443"
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// Options configure a Server. The zero value serves the built-in page on
// DefaultAddr with the A+ profile's HSTS and no access log.
type Options struct {
	// Addr is the address to listen on; ":0" picks a free port.
	Addr string
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener
	// Dir, when set, serves static files from that folder instead of the
	// built-in page.
	Dir string
	// RedirectAddr, when set, also listens there for plain HTTP and
	// answers every request with a 301 to the https URL.
	RedirectAddr string
	// HSTS is the Strict-Transport-Security policy; nil means DefaultHSTS.
	HSTS *HSTS
	// AccessLog, when set, receives one line per request.
	AccessLog io.Writer
	// ErrorLog receives net/http's own errors (failed handshakes, for
	// example); nil discards them.
	ErrorLog *log.Logger
	// Timeouts and limits; zero means the Default value.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	// MaxConns and MaxInFlight bound the connections open and the
	// requests handled at once; zero means DefaultMaxConns and
	// DefaultMaxInFlight.
	MaxConns    int
	MaxInFlight int
}

// Certificate is what the server presents: the chain in the order it is
// sent, leaf first, and the leaf's private key.
type Certificate struct {
	Chain []*x509.Certificate
	Key   crypto.Signer
}

// Errors callers can test with errors.Is.
var (
	// ErrNoCertificate means a Certificate has an empty chain.
	ErrNoCertificate = errors.New("no certificate to serve")
	// ErrNoKey means a Certificate has no private key.
	ErrNoKey = errors.New("no private key")
	// ErrKeyMismatch means the key is not the leaf's.
	ErrKeyMismatch = errors.New("the private key does not match the leaf certificate")
)

// loaded is a Certificate ready for handshakes and for the page.
type loaded struct {
	cert      *Certificate
	tls       *tls.Certificate
	summaries []bundle.CertSummary
}

func load(c *Certificate) (*loaded, error) {
	if c == nil || len(c.Chain) == 0 {
		return nil, ErrNoCertificate
	}
	if c.Key == nil {
		return nil, ErrNoKey
	}
	if !bundle.KeyMatches(c.Chain[0], c.Key) {
		return nil, ErrKeyMismatch
	}
	tc := &tls.Certificate{PrivateKey: c.Key, Leaf: c.Chain[0]}
	for _, cert := range c.Chain {
		tc.Certificate = append(tc.Certificate, cert.Raw)
	}
	chain := append([]*x509.Certificate(nil), c.Chain...)
	return &loaded{
		cert:      &Certificate{Chain: chain, Key: c.Key},
		tls:       tc,
		summaries: summaries(chain),
	}, nil
}

// Server is a running HTTPS server.
type Server struct {
	opts     Options
	hsts     HSTS
	current  atomic.Pointer[loaded]
	grade    atomic.Pointer[SelfGrade]
	https    *http.Server
	ln       net.Listener
	redirect *http.Server
	redirLn  net.Listener
	errc     chan error
	files    atomic.Pointer[fileHandler] // nil for the built-in page
}

// Start checks cert, listens and serves in the background until Shutdown
// or Close. The address is bound when Start returns, so Addr and URL are
// known at once.
func Start(cert *Certificate, opts Options) (*Server, error) {
	l, err := load(cert)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns < 0 || opts.MaxInFlight < 0 {
		return nil, errors.New("MaxConns and MaxInFlight must not be negative")
	}
	s := &Server{opts: withDefaults(opts), errc: make(chan error, 2)}
	s.hsts = DefaultHSTS
	if opts.HSTS != nil {
		s.hsts = *opts.HSTS
	}
	s.current.Store(l)
	content, err := s.contentHandler()
	if err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		s.closeFiles()
		return nil, err
	}
	s.https = s.newHTTPServer(s.wrap(content))
	s.https.TLSConfig = TLSConfig(s.getCertificate)
	go s.serve(func() error { return s.https.ServeTLS(s.ln, "", "") })
	if s.redirLn != nil {
		s.redirect = s.newHTTPServer(s.wrap(http.HandlerFunc(s.redirectHandler)))
		s.redirect.Protocols = new(http.Protocols)
		s.redirect.Protocols.SetHTTP1(true)
		go s.serve(func() error { return s.redirect.Serve(s.redirLn) })
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	set(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	set(&o.ReadTimeout, DefaultReadTimeout)
	set(&o.WriteTimeout, DefaultWriteTimeout)
	set(&o.IdleTimeout, DefaultIdleTimeout)
	if o.MaxHeaderBytes == 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxConns == 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.ErrorLog == nil {
		o.ErrorLog = log.New(io.Discard, "", 0)
	}
	return o
}

// listenConfig leaves TCP keep-alive probes off, as nginx does: the read,
// write and idle timeouts already close a connection whose peer has gone
// (an idle one after 120 s, sooner than probes would), and each accepted
// connection is spared four setsockopt calls.
var listenConfig = net.ListenConfig{KeepAlive: -1}

func (s *Server) listen() error {
	s.ln = s.opts.Listener
	if s.ln == nil {
		ln, err := listenConfig.Listen(context.Background(), "tcp", s.opts.Addr)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", s.opts.Addr, err)
		}
		s.ln = ln
	}
	s.ln = netutil.LimitListener(s.ln, s.opts.MaxConns)
	if s.opts.RedirectAddr != "" {
		ln, err := listenConfig.Listen(context.Background(), "tcp", s.opts.RedirectAddr)
		if err != nil {
			s.ln.Close()
			return fmt.Errorf("listening on %s: %w", s.opts.RedirectAddr, err)
		}
		s.redirLn = netutil.LimitListener(ln, s.opts.MaxConns)
	}
	return nil
}

func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    s.opts.MaxHeaderBytes,
		ErrorLog:          s.opts.ErrorLog,
		// "OPTIONS *" goes to the handler, which answers with HSTS.
		DisableGeneralOptionsHandler: true,
		ConnState:                    newFirstRequestDeadline(s.opts.ReadHeaderTimeout).connState,
	}
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: maxConcurrentStreams}
	return srv
}

// wrap puts the bound on requests in flight, the security headers and
// the access log around h.
func (s *Server) wrap(h http.Handler) http.Handler {
	h = Secure(limitInFlight(h, s.opts.MaxInFlight), s.hsts)
	if s.opts.AccessLog != nil {
		h = AccessLog(h, s.opts.AccessLog)
	}
	return h
}

func (s *Server) serve(fn func() error) {
	if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.errc <- err
	}
}

func (s *Server) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.current.Load().tls, nil
}

// Err receives an error if serving stops for any reason other than
// Shutdown or Close (the listener failed, for example).
func (s *Server) Err() <-chan error { return s.errc }

// Addr is the address the HTTPS server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// RedirectAddr is the plain HTTP address, or nil without RedirectAddr.
func (s *Server) RedirectAddr() net.Addr {
	if s.redirLn == nil {
		return nil
	}
	return s.redirLn.Addr()
}

// URL is the https URL of the server: the listening address, with
// "localhost" for an unspecified one (0.0.0.0, ::).
func (s *Server) URL() string {
	return "https://" + urlHost(s.Addr()) + "/"
}

func urlHost(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// Certificate returns what the server presents now.
func (s *Server) Certificate() *Certificate { return s.current.Load().cert }

// Reload switches to cert for every new handshake. Open connections keep
// going on the certificate they started with. A certificate that fails to
// load is refused and the current one kept.
func (s *Server) Reload(cert *Certificate) error {
	l, err := load(cert)
	if err != nil {
		return err
	}
	s.current.Store(l)
	return nil
}

// Shutdown stops listening, lets the requests under way finish and closes
// idle connections, until ctx ends; then it closes whatever is left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.https.Shutdown(ctx)
	if s.redirect != nil {
		if rerr := s.redirect.Shutdown(ctx); err == nil {
			err = rerr
		}
	}
	if err != nil {
		s.Close()
	}
	s.closeFiles()
	return err
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() error {
	err := s.https.Close()
	if s.redirect != nil {
		s.redirect.Close()
	}
	s.closeFiles()
	return err
}

func (s *Server) closeFiles() {
	if f := s.files.Load(); f != nil {
		f.root.Close()
	}
}

// redirectHandler sends a plain HTTP request to the same path over https.
func (s *Server) redirectHandler(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" || !validHost(host) {
		host, _, _ = net.SplitHostPort(urlHost(s.Addr()))
	}
	if _, port, _ := net.SplitHostPort(s.Addr().String()); port != "443" {
		host = net.JoinHostPort(trimBrackets(host), port)
	} else if ip := net.ParseIP(trimBrackets(host)); ip != nil && ip.To4() == nil {
		host = "[" + trimBrackets(host) + "]"
	}
	uri := r.URL.RequestURI()
	if r.RequestURI == "*" {
		uri = "/" // "OPTIONS *" names the server, not a path
	}
	target := "https://" + host + uri
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

// validHost accepts host names and IP literals, nothing that could break
// out of the Location header's authority.
func validHost(h string) bool {
	h = trimBrackets(h)
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
