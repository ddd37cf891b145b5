package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
	"github.com/chaintool/chaintool/internal/shellquote"
	"github.com/chaintool/chaintool/serve"
	"github.com/chaintool/chaintool/verify"
	"github.com/urfave/cli/v2"
)

func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "run a test HTTPS server with an SSL Labs A+ configuration and HSTS",
		ArgsUsage: "[BUNDLE...]",
		Description: `Serves BUNDLE (the chain and its key, in any format chaintool reads: a PEM
with the key inside, a PFX, a chain plus --key) over TLS 1.2 and 1.3 with
Mozilla's intermediate suites, HTTP/2 and Strict-Transport-Security on every
response. Without BUNDLE it makes a demo chain for localhost, 127.0.0.1 and
::1 and prints the curl line that trusts it.

Before listening, the bundle is verified with its key: a key that does not
match, a wrong order, a missing intermediate or an expired certificate stop
it (exit 1). A private root that no trust store holds is allowed, with a
warning. Once listening, the server grades itself over loopback and shows
the grade on its page (/, or /?format=json). SIGHUP reloads the bundle
without dropping connections (a broken new bundle is refused and the old
one kept) and opens --dir again; SIGINT or SIGTERM finish the requests
under way and exit 0.

--check starts, grades itself, prints the result on stdout and stops (on a
free loopback port unless --addr is given).

EXAMPLES:
   chaintool serve                              # demo chain on https://127.0.0.1:8443/
   chaintool serve --check                      # prints the self-grade: A+
   chaintool serve server.pem --addr :8443      # the chain and key in one PEM
   chaintool serve fullchain.pem --key privkey.pem --dir ./public
   chaintool serve site.pfx --password-file pw.txt --redirect-http :8080
   chaintool serve server.pem --check --min-grade A --json

EXIT CODES:
   0 stopped by SIGINT/SIGTERM, or --check graded at least --min-grade;
   1 the bundle is broken, or the grade is below --min-grade;
   2 usage, input or I/O error (unreadable file, address in use)`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "key", Usage: "the private key in `FILE`, when it is not inside the bundle", TakesFile: true},
			&cli.StringFlag{Name: "addr", Value: serve.DefaultAddr, Usage: "listen on `ADDR` (\":0\" picks a free port)"},
			&cli.PathFlag{Name: "dir", Usage: "serve static files from `DIR` instead of the built-in page", TakesFile: true},
			&cli.StringFlag{Name: "redirect-http", Usage: "also listen for plain HTTP on `ADDR` and redirect to https"},
			&cli.Int64Flag{Name: "hsts-max-age", Value: serve.DefaultHSTSMaxAge, Usage: "HSTS max-age in `SECONDS` (A+ needs at least 15552000)"},
			&cli.BoolFlag{Name: "hsts-preload", Usage: "add preload to the HSTS header"},
			rootsFlag(),
			&cli.BoolFlag{Name: "check", Usage: "start, grade the server, print the grade and stop"},
			&cli.StringFlag{Name: "min-grade", Value: "A+", Usage: "with --check, exit 1 below `GRADE`"},
			&cli.BoolFlag{Name: "json", Usage: "with --check, print the grade as JSON"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no access log"},
			&cli.IntFlag{Name: "max-conns", Value: serve.DefaultMaxConns, Usage: "connections open at once, `N` at most (more wait until one closes)"},
			passwordFlag(),
		},
		Action: func(c *cli.Context) error { return e.serve(c) },
	}
}

// serveRun is one serve command under way.
type serveRun struct {
	e      *env
	c      *cli.Context
	log    io.Writer // stderr, one line per Write
	roots  *bundle.Roots
	demo   bool
	trust  *bundle.Roots // what the self-check trusts
	cacert string        // a root file for the curl line
	// tempRoot is true when cacert is a temporary file serve wrote (the
	// demo root, or a private root no trust store holds) and removes.
	tempRoot bool
	// privateRoot is the bundle's own root when no trust store holds it.
	privateRoot *x509.Certificate
}

func (e *env) serve(c *cli.Context) error {
	opts, err := serveOptions(c)
	if err != nil {
		return err
	}
	r := &serveRun{e: e, c: c, log: &lineWriter{w: e.stderr}}
	cert, err := r.load()
	if err != nil {
		return err
	}
	if r.tempRoot {
		defer os.Remove(r.cacert)
	}
	if !c.Bool("quiet") && !c.Bool("check") {
		opts.AccessLog = r.log
	}
	setServerGC(os.LookupEnv)
	srv, err := serve.Start(cert, opts)
	if err != nil {
		return err
	}
	if c.Bool("check") {
		return r.check(srv)
	}
	// Signals are caught before the first line announces the server, so
	// that a SIGHUP sent as soon as it is up never kills it.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	r.announce(srv)
	go r.selfCheck(srv, r.trust)
	return r.wait(srv, sigs)
}

func serveOptions(c *cli.Context) (serve.Options, error) {
	if !c.Bool("check") {
		switch {
		case c.Bool("json"):
			return serve.Options{}, usageError("--json goes with --check")
		case c.IsSet("min-grade"):
			return serve.Options{}, usageError("--min-grade goes with --check")
		}
	}
	if err := grade.CheckMinimum(c.String("min-grade")); err != nil {
		return serve.Options{}, usageError("--min-grade %q: %v", c.String("min-grade"), err)
	}
	maxAge := c.Int64("hsts-max-age")
	if maxAge < 0 {
		return serve.Options{}, usageError("--hsts-max-age must be 0 or more seconds")
	}
	maxConns := c.Int("max-conns")
	if maxConns < 1 {
		return serve.Options{}, usageError("--max-conns must be 1 or more")
	}
	addr := c.String("addr")
	if c.Bool("check") && !c.IsSet("addr") {
		addr = "127.0.0.1:0"
	}
	hsts := serve.HSTS{MaxAge: maxAge, IncludeSubDomains: true, Preload: c.Bool("hsts-preload")}
	return serve.Options{Addr: addr, Dir: c.Path("dir"), RedirectAddr: c.String("redirect-http"), HSTS: &hsts, MaxConns: maxConns}, nil
}

// warnHSTS says what a short HSTS max-age costs.
func (r *serveRun) warnHSTS() {
	switch maxAge := r.c.Int64("hsts-max-age"); {
	case maxAge == 0:
		r.warnf("--hsts-max-age 0 tells browsers to forget HSTS; SSL Labs withholds A+")
	case maxAge < serve.MinHSTSMaxAge:
		r.warnf("--hsts-max-age %d is under %d seconds (180 days); SSL Labs withholds A+", maxAge, serve.MinHSTSMaxAge)
	}
}

// load returns the certificate to serve: the demo chain, or the bundle
// once it passed verify.
func (r *serveRun) load() (*serve.Certificate, error) {
	r.warnHSTS()
	args := r.c.Args().Slice()
	if len(args) == 0 {
		if r.c.IsSet("key") || r.c.IsSet("roots") {
			return nil, usageError("--key and --roots need a BUNDLE; without one serve uses its demo chain")
		}
		return r.loadDemo()
	}
	roots, err := bundle.LoadRoots(r.c.StringSlice("roots"), r.e.inputPassword(r.c))
	if err != nil {
		return nil, err
	}
	r.roots = roots
	cert, pf, err := r.readBundle(args)
	if err != nil {
		return nil, err
	}
	if err := r.judge(pf, args); err != nil {
		return nil, err
	}
	r.trust = pf.Trust
	r.cacert = rootFile(r.c.StringSlice("roots"))
	if root := privateRoot(pf.Report); root != nil && r.cacert == "" && !r.c.Bool("check") {
		if err := r.writeRoot(root, "chaintool-root-*.pem"); err != nil {
			return nil, err
		}
		r.privateRoot = root
	}
	return cert, nil
}

// privateRoot returns the root that ends the verified path when no trust
// store holds it, or nil.
func privateRoot(report *verify.Report) *x509.Certificate {
	n := len(report.Path)
	if n == 0 || !report.Has(verify.UntrustedRoot) || report.Path[n-1].Role != verify.RoleRoot {
		return nil
	}
	return report.Path[n-1].Cert
}

// loadDemo makes the demo chain and, unless --check (which trusts the
// root in memory), writes its root to a temporary file for curl.
func (r *serveRun) loadDemo() (*serve.Certificate, error) {
	d, err := serve.NewDemo(time.Now())
	if err != nil {
		return nil, err
	}
	r.demo, r.trust = true, d.Roots()
	if r.c.Bool("check") {
		return d.Certificate, nil
	}
	if err := r.writeRoot(d.Root, "chaintool-demo-root-*.pem"); err != nil {
		return nil, err
	}
	return d.Certificate, nil
}

// writeRoot writes root to a new temporary file (named after pattern)
// for the curl line; serve removes it when it stops.
func (r *serveRun) writeRoot(root *x509.Certificate, pattern string) error {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return fmt.Errorf("writing the root for clients: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing the root for clients: %w", err)
	}
	r.cacert, r.tempRoot = f.Name(), true
	return nil
}

// readBundle reads the bundle files and --key, picks the key and verifies.
func (r *serveRun) readBundle(args []string) (*serve.Certificate, *serve.Preflight, error) {
	inputs, err := r.e.readInputs(r.c, args, inputOptions{})
	if err != nil {
		return nil, nil, err
	}
	var certs []*x509.Certificate
	var keys []crypto.Signer
	for _, in := range inputs {
		certs = append(certs, in.Certs...)
		keys = append(keys, in.Keys...)
	}
	if path := r.c.Path("key"); path != "" {
		got, err := readKeyFile(path, r.e.inputPassword(r.c))
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, got...)
	}
	if len(certs) == 0 {
		return nil, nil, fmt.Errorf("%s: holds no certificate", strings.Join(args, ", "))
	}
	if len(keys) == 0 {
		return nil, nil, &exitError{code: 2, msg: strings.Join(args, ", ") + ": holds no private key",
			hint: "give the key with --key FILE"}
	}
	key := bundle.FindKey(certs[0], keys)
	if key == nil {
		key = keys[0]
	}
	cert := &serve.Certificate{Chain: certs, Key: key}
	return cert, serve.Check(cert, r.roots), nil
}

// judge prints the report's warnings and refuses to serve on any error
// but an untrusted root, which a test server may well have.
func (r *serveRun) judge(pf *serve.Preflight, args []string) error {
	for _, f := range pf.Report.Warnings() {
		r.warnf("%s", findingLine(f))
	}
	for _, f := range pf.Report.Errors() {
		if f.ID == verify.UntrustedRoot {
			r.warnf("%s (allowed for a test server; clients must be given this root)", findingLine(f))
		}
	}
	if len(pf.Blocking) == 0 {
		return nil
	}
	for _, f := range pf.Blocking {
		fmt.Fprintf(r.log, "chaintool: error: %s\n", findingLine(f))
	}
	return problems(fmt.Sprintf("refusing to serve a broken bundle (%s)", errorCount(len(pf.Blocking))),
		refusalHint(pf.Report, bundleArgs(r.c, args)))
}

func findingLine(f verify.Finding) string {
	return oneLine(f.Message) + " [" + string(f.ID) + "]"
}

func errorCount(n int) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// refusalHint says how to fix what verify found; bundleArgs are the
// arguments of the bundle command that fixes an order or a gap.
func refusalHint(report *verify.Report, bundleArgs string) string {
	switch {
	case report.Has(verify.KeyMismatch):
		return "the key is not the leaf's: give the leaf's own key with --key FILE ('chaintool inspect' shows which certificate a key matches)"
	case report.Has(verify.Expired) || report.Has(verify.NotYetValid):
		if len(report.ErrorsExcept(verify.Expired, verify.NotYetValid, verify.UntrustedRoot)) == 0 {
			return "the certificate must be renewed (or this machine's clock is wrong)"
		}
	case report.Has(verify.IncompleteChain) && len(report.ErrorsExcept(verify.IncompleteChain)) == 0:
		return "add the missing intermediate with: chaintool bundle " + bundleArgs +
			"; for a private CA give its root with --roots ROOT.pem, or bundle with --include-root"
	}
	return "build the chain in order with: chaintool bundle " + bundleArgs
}

// bundleArgs repeats serve's inputs and the flags bundle shares with it,
// shell-quoted, then asks for one PEM with the key.
func bundleArgs(c *cli.Context, args []string) string {
	var a []string
	for _, arg := range args {
		a = append(a, shellquote.Quote(arg))
	}
	if key := c.Path("key"); key != "" {
		a = append(a, "--key", shellquote.Quote(key))
	}
	for _, r := range c.StringSlice("roots") {
		a = append(a, "--roots", shellquote.Quote(r))
	}
	if pw := c.Path("password-file"); pw != "" {
		a = append(a, "--password-file", shellquote.Quote(pw))
	}
	return strings.Join(a, " ") + " --with-key -o fixed.pem, then serve fixed.pem"
}

// rootFile returns the first --roots value that is a file, for curl.
func rootFile(specs []string) string {
	for _, s := range specs {
		if s != bundle.RootsSystem && s != bundle.RootsMozilla {
			return s
		}
	}
	return ""
}
