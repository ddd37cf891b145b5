package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/verify"
	"github.com/urfave/cli/v2"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "prove a chain right before deploying it: key, order, trust, names, dates",
		ArgsUsage: "INPUT... | HOST:PORT",
		Description: `Checks the certificates in the INPUT files (any format, "-" for stdin), or
what a live server at HOST:PORT presents, the way TLS clients will judge
them: the key belongs to the leaf, the certificates come leaf first and each
is signed by the next, the path reaches a trusted root, the leaf is valid
for the host and allowed for TLS servers, no certificate has expired or is
weak. Prints one line per certificate, the findings, the earliest expiry
anywhere in the path, and "ok" or the count of errors and warnings.

EXAMPLES:
   chaintool verify --key site.key --host www.example.com fullchain.pem
   chaintool verify --roots private-root.pem --warn-days 60 chain.pem
   chaintool verify example.com:443
   chaintool verify --json --strict example.com:443

EXIT CODES:
   0 no errors (warnings allowed unless --strict); 1 errors found (or
   warnings with --strict); 2 unreadable input, bad usage or the server
   cannot be reached`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "key", Usage: "check the leaf against the private key in `FILE` (a key among the inputs counts too)", TakesFile: true},
			rootsFlag(),
			&cli.StringFlag{Name: "host", Usage: "DNS `NAME` or IP address the leaf must be valid for (default for a live server: its HOST)"},
			&cli.StringFlag{Name: "at", Usage: "judge dates at `TIME` (RFC 3339, e.g. 2026-03-01T12:00:00Z; default now)"},
			&cli.IntFlag{Name: "warn-days", Value: 30, Usage: "warn when any certificate of the path expires within `N` days (0 turns the warning off)"},
			&cli.BoolFlag{Name: "strict", Usage: "warnings fail too (exit 1)"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON (schema in docs/verify.md)"},
			&cli.StringFlag{Name: "servername", Usage: "SNI `NAME` to send to a live server (default: its HOST)"},
			&cli.BoolFlag{Name: "aia", Usage: "when the chain is incomplete, download the missing issuers from AIA URLs to see whether clients can complete it (network)"},
			passwordFlag(),
		},
		Action: e.verify,
	}
}

// verifyRun is one verify invocation's inputs, resolved from the flags.
type verifyRun struct {
	target string // the files, or host:port
	certs  []*x509.Certificate
	keys   []crypto.Signer
	remote *bundle.Remote
	opts   verify.Options
}

func (e *env) verify(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return usageError("verify: give the chain's files or a HOST:PORT")
	}
	run := &verifyRun{target: strings.Join(args, " ")}
	if err := run.parseOptions(c); err != nil {
		return err
	}
	if err := e.verifyInputs(c, run, args); err != nil {
		return err
	}
	key, err := e.verifyKey(c, run)
	if err != nil {
		return err
	}
	report := verify.Check(run.certs, key, run.opts)
	if c.Bool("json") {
		err = writeVerifyJSON(e.stdout, run, report, key, c.Bool("strict"))
	} else {
		err = writeVerifyText(e.stdout, report, key)
	}
	if err != nil {
		return err
	}
	return verifyOutcome(report, key, c.Bool("strict"), run.remote != nil)
}

// parseOptions reads the flags every target shares.
func (r *verifyRun) parseOptions(c *cli.Context) error {
	r.opts.Host = c.String("host")
	if r.opts.Host != "" && !validHost(strings.TrimSuffix(strings.TrimPrefix(r.opts.Host, "["), "]")) {
		return usageError("--host %q: not a DNS name or an IP address", r.opts.Host)
	}
	if s := c.String("at"); s != "" {
		at, err := parseAt(s)
		if err != nil {
			return err
		}
		r.opts.At = at
	}
	r.opts.WarnDays = c.Int("warn-days")
	if r.opts.WarnDays < 0 {
		return usageError("--warn-days %d: want 0 or more days", r.opts.WarnDays)
	}
	if r.opts.WarnDays == 0 { // the library reads 0 as 30 and a negative number as none
		r.opts.WarnDays = -1
	}
	return nil
}

// verifyInputs reads the trust anchors, then the chain from the files or
// the live server.
func (e *env) verifyInputs(c *cli.Context, run *verifyRun, args []string) error {
	roots, err := bundle.LoadRoots(c.StringSlice("roots"), e.inputPassword(c))
	if err != nil {
		return err
	}
	run.opts.Roots = roots
	if c.Bool("aia") {
		run.opts.Complete = aiaCompleter(roots, run.opts.At)
	}
	for _, a := range args {
		if err := portOutOfRange(a); err != nil {
			return err
		}
	}
	if live := countHostPorts(args); live > 0 {
		if len(args) > 1 {
			return usageError("verify: check one live server at a time, without files")
		}
		return run.fetch(c.Context, args[0], c.String("servername"))
	}
	if c.String("servername") != "" {
		return usageError("verify: --servername is for a live HOST:PORT")
	}
	contents, err := e.readInputs(c, args, inputOptions{})
	if err != nil {
		return err
	}
	for _, ct := range contents {
		run.certs = append(run.certs, ct.Certs...)
		run.keys = append(run.keys, ct.Keys...)
	}
	if len(run.certs) == 0 {
		return fmt.Errorf("%s: holds no certificate", run.target)
	}
	return nil
}

// aiaCompleter completes a path through AIA downloads with the bundle
// package's path builder.
func aiaCompleter(roots *bundle.Roots, at time.Time) func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	fetcher := bundle.NewAIAFetcher()
	return func(ctx context.Context, chain []*x509.Certificate) ([]*x509.Certificate, error) {
		got, err := bundle.Complete(ctx, chain, bundle.BuildOptions{Roots: roots, At: at, AIA: fetcher})
		if err != nil {
			return nil, aiaFailure(err)
		}
		return got.Certificates(), nil
	}
}

// aiaFailure shortens the path builder's account of a failed completion
// to where it stopped and what each AIA URL gave, when that is the story
// (the inputs and trust stores searched are known to the reader of a
// verify report).
func aiaFailure(err error) error {
	var np *bundle.NoPathError
	if !errors.As(err, &np) || len(np.Rejected) > 0 {
		return err
	}
	var aia []string
	for _, s := range np.Searched {
		if strings.HasPrefix(s, "AIA ") {
			aia = append(aia, s)
		}
	}
	if len(aia) == 0 {
		return err
	}
	where := "the leaf"
	if np.Last != nil && np.Last != np.Leaf {
		where = bundle.Describe(np.Last)
	}
	return fmt.Errorf("stopped at %s: %s", where, strings.Join(aia, "; "))
}

func countHostPorts(args []string) int {
	n := 0
	for _, a := range args {
		if a != "-" && isHostPort(a) {
			n++
		}
	}
	return n
}

// fetch reads the chain a live server presents.
func (r *verifyRun) fetch(ctx context.Context, addr, serverName string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	remote, err := bundle.FromServer(ctx, addr, serverName)
	if err != nil {
		if errors.Is(err, bundle.ErrUnreachable) {
			return &exitError{code: 2, msg: err.Error(), hint: "check the host name and port, and that the server is running"}
		}
		return err
	}
	r.remote, r.certs, r.opts.State = remote, remote.Certs, &remote.State
	if r.opts.Host == "" {
		r.opts.Host = serverName
		if r.opts.Host == "" {
			r.opts.Host, _, _ = net.SplitHostPort(addr)
		}
	}
	return nil
}

// verifyKey returns the key to check the leaf against: from --key, else
// among the inputs; the one that belongs to a given certificate if any.
func (e *env) verifyKey(c *cli.Context, run *verifyRun) (crypto.Signer, error) {
	keys := run.keys
	if path := c.Path("key"); path != "" {
		got, err := readKeyFile(path, e.inputPassword(c))
		if err != nil {
			return nil, err
		}
		keys = got
	}
	if len(keys) == 0 {
		return nil, nil
	}
	for _, k := range keys {
		for _, cert := range run.certs {
			if bundle.KeyMatches(cert, k) {
				return k, nil
			}
		}
	}
	return keys[0], nil
}

// verifyOutcome maps the report to the exit code, with a hint for the
// most common fixes.
func verifyOutcome(r *verify.Report, key crypto.Signer, strict, live bool) error {
	switch {
	case len(r.Errors()) > 0:
		return problems("", verifyHint(r, key, live))
	case strict && len(r.Warnings()) > 0:
		return problems("", "--strict makes warnings fail")
	}
	return nil
}

func verifyHint(r *verify.Report, key crypto.Signer, live bool) string {
	switch {
	case r.Has(verify.KeyMismatch) && !matchesAny(key, r.Chain):
		return "the key matches none of the certificates given: is it the right key file?"
	case r.Has(verify.KeyMismatch):
		return "the key belongs to another certificate: 'chaintool inspect' shows which"
	case r.Has(verify.IncompleteChain) && privateCATop(r) != nil:
		top, verb := privateCATop(r), "given"
		if live {
			verb = "sent"
		}
		return "the issuer of " + verify.CertName(top) + " is not " + verb + ": if it is a private root, trust it with --roots ROOT.pem; " +
			"if it is an intermediate, 'chaintool bundle' adds it"
	case r.Has(verify.IncompleteChain):
		return "'chaintool bundle' adds the missing intermediates (from --pool files or their AIA URLs)"
	case r.Has(verify.WrongOrder):
		return "'chaintool bundle' writes the chain leaf first, each certificate followed by its issuer"
	case r.Has(verify.UntrustedRoot):
		return "for a private CA, trust its root with --roots FILE"
	}
	return ""
}

// privateCATop returns the certificate an incomplete chain stops at when
// it is a CA without an AIA URL for its issuer, as a private CA's
// intermediate is: its missing issuer may well be the private root.
func privateCATop(r *verify.Report) *x509.Certificate {
	for _, f := range r.Findings {
		if f.ID != verify.IncompleteChain || f.Cert < 0 {
			continue
		}
		if top := r.Chain[f.Cert]; top.IsCA && len(top.IssuingCertificateURL) == 0 {
			return top
		}
	}
	return nil
}

// matchesAny reports whether key belongs to one of certs.
func matchesAny(key crypto.Signer, certs []*x509.Certificate) bool {
	for _, c := range certs {
		if key != nil && bundle.KeyMatches(c, key) {
			return true
		}
	}
	return false
}
