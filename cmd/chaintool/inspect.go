package main

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/smallstep/certinfo"
	"github.com/urfave/cli/v2"
)

func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "show what is in certificate files or on a TLS server",
		ArgsUsage: "FILE|HOST:PORT...",
		Description: `Prints, for every certificate, a compact block: subject, issuer, serial,
validity with days left, key type and size, signature algorithm, names
(SANs), SHA-256 fingerprint, key identifiers, role (root, intermediate
or leaf) and extended key usage. Then one line on how the certificates
link (each signed by the next, checked by signature), and every private
key with the certificate it belongs to.

A HOST:PORT argument (that is not a file) shows what the server presents
in a TLS handshake; the SNI name is the host unless --servername says
otherwise. Files in any format chaintool reads, "-" for stdin.

--text prints the full dump of each certificate (like openssl x509 -text);
--json prints the documented schema of docs/inspect.md.

EXAMPLES:
   chaintool inspect server.pfx
   chaintool inspect leaf.pem intermediate.pem --json | jq '.inputs[].certificates[].days_left'
   chaintool inspect example.com:443
   chaintool inspect 192.0.2.10:443 --servername www.example.com --text

EXIT CODES:
   0 shown; 2 usage, input, I/O or connection error`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "text", Usage: "print the full dump of every certificate"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in docs/inspect.md)"},
			&cli.StringFlag{Name: "servername", Usage: "SNI `NAME` to send to a HOST:PORT (default: the host)"},
			passwordFlag(),
		},
		Action: func(c *cli.Context) error { return e.inspect(c) },
	}
}

// inspected is one input's contents, as the JSON output shows it.
type inspected struct {
	Name         string               `json:"name"`
	Format       string               `json:"format"`
	Server       *inspectedServer     `json:"server,omitempty"`
	Certificates []bundle.CertSummary `json:"certificates"`
	Keys         []inspectedKey       `json:"keys"`
	Skipped      []string             `json:"skipped"`
	Links        inspectedLinks       `json:"links"`

	certs []*x509.Certificate
	keys  []crypto.Signer
}

// inspectedServer is what a live server negotiated.
type inspectedServer struct {
	connectionFacts
	ALPN        string `json:"alpn"`
	OCSPStapled bool   `json:"ocsp_stapled"`
}

// connectionFacts is where a live server was reached and what it
// negotiated, as the JSON of inspect and verify gives it.
type connectionFacts struct {
	Address     string `json:"address"`
	ServerName  string `json:"server_name"`
	TLSVersion  string `json:"tls_version"`
	CipherSuite string `json:"cipher_suite"`
}

func connectionFactsOf(r *bundle.Remote) connectionFacts {
	return connectionFacts{
		Address:     r.Addr,
		ServerName:  r.ServerName,
		TLSVersion:  tls.VersionName(r.State.Version),
		CipherSuite: tls.CipherSuiteName(r.State.CipherSuite),
	}
}

type inspectedKey struct {
	Type    string      `json:"type"`
	Bits    int         `json:"bits"`
	Curve   string      `json:"curve,omitempty"`
	Matches []certIndex `json:"matches"`
}

// certIndex points at certificate Index of input Input (both from 0).
type certIndex struct {
	Input int `json:"input"`
	Index int `json:"index"`
}

type inspectedLinks struct {
	Linked bool   `json:"linked"`
	Line   string `json:"line"`
}

// inspectReport is the whole --json document.
type inspectReport struct {
	At     time.Time      `json:"at"`
	Inputs []*inspected   `json:"inputs"`
	Links  inspectedLinks `json:"links"`
}

func (e *env) inspect(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("inspect: give at least one file or HOST:PORT (or - for stdin)")
	}
	if c.Bool("text") && c.Bool("json") {
		return usageError("inspect: give --text or --json, not both")
	}
	if err := stdinOnce(c.Args().Slice()); err != nil {
		return err
	}
	now := time.Now()
	report := &inspectReport{At: now.UTC().Truncate(time.Second)}
	for _, arg := range c.Args().Slice() {
		in, err := e.inspectArg(c, arg, now)
		if err != nil {
			return err
		}
		report.Inputs = append(report.Inputs, in...)
	}
	var all []*x509.Certificate
	for _, in := range report.Inputs {
		all = append(all, in.certs...)
	}
	report.Links = linksOf(all)
	matchKeys(report.Inputs)
	var out bytes.Buffer
	switch {
	case c.Bool("json"):
		if err := writeJSON(&out, report); err != nil {
			return err
		}
	case c.Bool("text"):
		if err := writeInspectText(&out, report); err != nil {
			return err
		}
	default:
		writeInspectSummary(&out, report, now)
	}
	return e.writeStdout(out.Bytes(), false)
}

// inspectArg reads one argument: a live server, or a file (a directory
// gives one input per file in it).
func (e *env) inspectArg(c *cli.Context, arg string, now time.Time) ([]*inspected, error) {
	if err := portOutOfRange(arg); err != nil {
		return nil, err
	}
	if isHostPort(arg) {
		r, err := bundle.FromServer(c.Context, arg, c.String("servername"))
		if err != nil {
			return nil, err
		}
		in := newInspected(arg, "tls", r.Certs, now)
		in.Server = serverFacts(r)
		return []*inspected{in}, nil
	}
	contents, err := e.readInputs(c, []string{arg}, inputOptions{dirs: true})
	if err != nil {
		return nil, err
	}
	out := make([]*inspected, len(contents))
	for i, ct := range contents {
		out[i] = newInspected(ct.Name, string(ct.Format), ct.Certs, now)
		out[i].keys = ct.Keys
		if ct.Skipped != nil {
			out[i].Skipped = ct.Skipped
		}
	}
	return out, nil
}

func newInspected(name, format string, certs []*x509.Certificate, now time.Time) *inspected {
	in := &inspected{Name: name, Format: format, certs: certs,
		Certificates: []bundle.CertSummary{}, Keys: []inspectedKey{}, Skipped: []string{}}
	for _, c := range certs {
		in.Certificates = append(in.Certificates, bundle.Summarize(c, now))
	}
	in.Links = linksOf(certs)
	return in
}

func linksOf(certs []*x509.Certificate) inspectedLinks {
	line, linked := bundle.LinkLine(certs)
	return inspectedLinks{Linked: linked, Line: line}
}

func serverFacts(r *bundle.Remote) *inspectedServer {
	return &inspectedServer{
		connectionFacts: connectionFactsOf(r),
		ALPN:            r.State.NegotiatedProtocol,
		OCSPStapled:     len(r.State.OCSPResponse) > 0,
	}
}

// matchKeys describes every key and finds its certificates in every input.
func matchKeys(inputs []*inspected) {
	for _, in := range inputs {
		for _, k := range in.keys {
			typ, bits, curve := bundle.PublicKeyInfo(k.Public())
			ik := inspectedKey{Type: typ, Bits: bits, Curve: curve, Matches: []certIndex{}}
			for i, other := range inputs {
				for j, cert := range other.certs {
					if bundle.KeyMatches(cert, k) {
						ik.Matches = append(ik.Matches, certIndex{Input: i, Index: j})
					}
				}
			}
			in.Keys = append(in.Keys, ik)
		}
	}
}

// writeInspectSummary prints the compact blocks.
func writeInspectSummary(w io.Writer, r *inspectReport, now time.Time) {
	for i, in := range r.Inputs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, inputHeader(in))
		for j, s := range in.Certificates {
			writeCertSummary(w, j+1, s, now)
		}
		if len(in.certs) > 1 {
			fmt.Fprintf(w, "links: %s\n", in.Links.Line)
		}
		for j, k := range in.Keys {
			fmt.Fprintf(w, "key #%d: %s, %s\n", j+1, keyWords(k), matchWords(r.Inputs, i, k.Matches))
		}
	}
	if len(r.Inputs) > 1 && countAll(r.Inputs) > 1 {
		fmt.Fprintf(w, "\nlinks of all inputs: %s\n", r.Links.Line)
	}
}

func inputHeader(in *inspected) string {
	parts := []string{formatName(in.Format)}
	if len(in.Certificates) > 0 || len(in.Keys) == 0 {
		parts = append(parts, plural(len(in.Certificates), "certificate"))
	}
	if n := len(in.Keys); n > 0 {
		parts = append(parts, plural(n, "private key"))
	}
	if in.Server != nil {
		s := in.Server
		parts = append(parts, s.TLSVersion, s.CipherSuite)
		if s.ServerName != "" {
			parts = append(parts, "SNI "+s.ServerName)
		}
		if s.ALPN != "" {
			parts = append(parts, "ALPN "+s.ALPN)
		}
	}
	if len(in.Skipped) > 0 {
		parts = append(parts, "skipped "+bundle.DescribeSkipped(in.Skipped))
	}
	return in.Name + ": " + strings.Join(parts, ", ")
}

func formatName(f string) string {
	switch f {
	case "tls":
		return "TLS server"
	case string(bundle.FormatPKCS7):
		return "PKCS#7"
	case string(bundle.FormatPKCS12):
		return "PKCS#12"
	}
	return strings.ToUpper(f)
}

func writeCertSummary(w io.Writer, n int, s bundle.CertSummary, now time.Time) {
	const layout = "2006-01-02 15:04 MST"
	fmt.Fprintf(w, "#%d %s\n", n, s.Name)
	line := func(label, value string) { fmt.Fprintf(w, "    %-10s %s\n", label, value) }
	line("subject", s.Subject)
	line("issuer", s.Issuer)
	line("serial", s.Serial)
	line("validity", fmt.Sprintf("%s to %s (%s)", s.NotBefore.Format(layout), s.NotAfter.Format(layout), s.Validity(now)))
	line("key", s.KeyDescription())
	line("signature", s.SignatureAlgorithm)
	line("names", sanWords(s))
	line("sha256", s.SHA256)
	if s.SubjectKeyID != "" {
		line("ski", s.SubjectKeyID)
	}
	if s.AuthorityKeyID != "" {
		line("aki", s.AuthorityKeyID)
	}
	line("role", roleWords(s))
	if len(s.ExtKeyUsage) > 0 {
		line("usage", strings.Join(s.ExtKeyUsage, ", "))
	}
}

func sanWords(s bundle.CertSummary) string {
	var names []string
	for _, n := range s.DNSNames {
		names = append(names, "DNS:"+n)
	}
	for _, n := range s.IPAddresses {
		names = append(names, "IP:"+n)
	}
	for _, n := range s.EmailAddresses {
		names = append(names, "email:"+n)
	}
	for _, n := range s.URIs {
		names = append(names, "URI:"+n)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func roleWords(s bundle.CertSummary) string {
	switch s.Role {
	case bundle.RoleRoot:
		return "root CA (self-signed)"
	case bundle.RoleIntermediate:
		return "intermediate CA"
	}
	if s.SelfSigned {
		return "leaf (self-signed, not a CA)"
	}
	return "leaf (not a CA)"
}

func keyWords(k inspectedKey) string {
	return bundle.KeySummary{Type: k.Type, Bits: k.Bits, Curve: k.Curve}.Description()
}

// matchWords says which certificates a key belongs to: "#1 localhost" in
// its own input, "#2 www (other.pem)" in another.
func matchWords(inputs []*inspected, self int, matches []certIndex) string {
	if len(matches) == 0 {
		return "matches no certificate given"
	}
	var parts []string
	for _, m := range matches {
		p := fmt.Sprintf("#%d %s", m.Index+1, inputs[m.Input].Certificates[m.Index].Name)
		if m.Input != self {
			p += " (" + inputs[m.Input].Name + ")"
		}
		parts = append(parts, p)
	}
	return "matches " + strings.Join(parts, ", ")
}

func countAll(inputs []*inspected) int {
	n := 0
	for _, in := range inputs {
		n += len(in.certs)
	}
	return n
}

// writeInspectText prints certinfo's full dump of every certificate.
func writeInspectText(w io.Writer, r *inspectReport) error {
	for i, in := range r.Inputs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, inputHeader(in))
		for _, c := range in.certs {
			text, err := certinfo.CertificateText(c)
			if err != nil {
				return fmt.Errorf("%s: %w", in.Name, err)
			}
			fmt.Fprint(w, text)
		}
		for j, k := range in.Keys {
			fmt.Fprintf(w, "Private key #%d: %s, %s\n", j+1, keyWords(k), matchWords(r.Inputs, i, k.Matches))
		}
	}
	return nil
}
