package grade

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText writes the result the way SSL Labs' summary reads: the letter
// large and first, the three scores, the reasons, then protocols, suites,
// key exchange, simulated clients, certificate and HSTS.
func (r *Result) WriteText(w io.Writer) error {
	tw := &textWriter{w: w}
	r.writeSummary(tw)
	r.writeProtocols(tw)
	r.writeSuites(tw)
	r.writeKeyExchange(tw)
	r.writeSimulations(tw)
	r.writeCertificate(tw)
	r.writeHSTS(tw)
	tw.printf("\n%d connections in %.2f s\n", r.Probes, float64(r.DurationMS)/1000)
	return tw.err
}

// textWriter remembers the first write error.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// table writes aligned rows, each a list of cells, indented by two spaces.
func (t *textWriter) table(rows [][]string) {
	if t.err != nil || len(rows) == 0 {
		return
	}
	var buf strings.Builder
	tab := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintf(tab, "  %s\n", strings.Join(row, "\t"))
	}
	_ = tab.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			t.printf("%s\n", strings.TrimRight(line, " \n"))
		}
	}
}

func (r *Result) writeSummary(t *textWriter) {
	name := r.Target
	if r.ServerName != "" {
		name += " (" + r.ServerName + ")"
	}
	t.printf("+------+\n| %-4s |  %s\n+------+\n", centre(r.Grade, 4), name)
	t.printf("score %d/100: protocol support %d, key exchange %d, cipher strength %d\n",
		r.Score, r.ProtocolScore, r.KeyExchangeScore, r.CipherScore)
	if len(r.Caps) > 0 {
		t.printf("\ncapped:\n")
		for _, c := range r.Caps {
			t.printf("  %-2s %s\n", c.Grade, c.Reason)
		}
	}
	list(t, "warnings (A becomes A-)", r.Warnings)
	list(t, "notes", r.Notes)
	list(t, "probe problems (results may be incomplete)", r.Problems)
	t.printf("\nnot tested: %s\n", strings.Join(r.NotTested, "; "))
}

func centre(s string, width int) string {
	pad := width - len(s)
	if pad <= 0 {
		return s
	}
	return strings.Repeat(" ", pad/2) + s + strings.Repeat(" ", pad-pad/2)
}

func list(t *textWriter, title string, items []string) {
	if len(items) == 0 {
		return
	}
	t.printf("\n%s:\n", title)
	for _, it := range items {
		t.printf("  %s\n", it)
	}
}

func (r *Result) writeProtocols(t *textWriter) {
	t.printf("\nprotocols:\n")
	var rows [][]string
	for i := len(r.Protocols) - 1; i >= 0; i-- {
		p := r.Protocols[i]
		rows = append(rows, []string{p.Name, yesNo(p.Offered)})
	}
	t.table(rows)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r *Result) writeSuites(t *textWriter) {
	t.printf("\ncipher suites (IANA, OpenSSL, bits, properties):\n")
	proto := ""
	var rows [][]string
	for _, s := range r.Suites {
		if s.Protocol != proto {
			proto = s.Protocol
			rows = append(rows, []string{proto, "", "", "", ""})
		}
		rows = append(rows, []string{"  " + s.ID, s.Name, s.OpenSSL, fmt.Sprint(s.Bits), suiteProps(s)})
	}
	if len(rows) == 0 {
		t.printf("  none\n")
	}
	t.table(rows)
}

func suiteProps(s SuiteResult) string {
	var p []string
	if s.ForwardSecrecy {
		p = append(p, "FS")
	}
	if s.AEAD {
		p = append(p, "AEAD")
	}
	if s.Export {
		p = append(p, "EXPORT")
	}
	if s.Authentication == auAnon {
		p = append(p, "ANONYMOUS")
	}
	if s.DHBits > 0 {
		p = append(p, fmt.Sprintf("DH %d", s.DHBits))
	}
	if s.Group != "" && s.Protocol != "TLS 1.3" {
		p = append(p, s.Group)
	}
	return strings.Join(p, " ")
}

func (r *Result) writeKeyExchange(t *textWriter) {
	k := r.KeyExchange
	t.printf("\nkey exchange:\n")
	var keys []string
	for _, key := range k.ServerKeys {
		keys = append(keys, fmt.Sprintf("%s %d bits (score %d)", key.Type, key.Bits, key.Score))
	}
	var dh []string
	for _, b := range k.DHBits {
		dh = append(dh, fmt.Sprint(b))
	}
	reneg := "not applicable (TLS 1.3 only)"
	if k.SecureRenegotiation != nil {
		reneg = yesNo(*k.SecureRenegotiation)
	}
	serverKey := orNone(strings.Join(keys, ", "))
	if len(keys) == 0 && r.Certificate == nil {
		serverKey = "unknown (no certificate read)"
	}
	t.table([][]string{
		{"server key", serverKey},
		{"groups in TLS 1.3", orNone(strings.Join(k.GroupsTLS13, ", "))},
		{"curves in TLS 1.2", orNone(strings.Join(k.GroupsTLS12, ", "))},
		{"DHE group bits", orNone(strings.Join(dh, ", "))},
		{"forward secrecy", yesNo(k.ForwardSecrecy)},
		{"AEAD", yesNo(k.AEAD)},
		{"secure renegotiation", reneg},
		{"compression (CRIME)", yesNo(k.Compression)},
	})
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (r *Result) writeSimulations(t *textWriter) {
	t.printf("\nhandshake simulation:\n")
	var rows [][]string
	for _, s := range r.Simulations {
		if s.Error != "" {
			rows = append(rows, []string{s.Client, "fails: " + s.Error, "", ""})
			continue
		}
		kx := s.Group
		if s.DHBits > 0 {
			kx = fmt.Sprintf("DH %d", s.DHBits)
		}
		rows = append(rows, []string{s.Client, s.Protocol, s.Suite, kx})
	}
	t.table(rows)
}

func (r *Result) writeCertificate(t *textWriter) {
	t.printf("\ncertificate:\n")
	c := r.Certificate
	if c == nil || len(c.Chain) == 0 {
		t.printf("  none read\n")
		return
	}
	leaf := c.Chain[0]
	trust := "trusted"
	if !c.Trusted {
		trust = "NOT trusted"
	}
	rows := [][]string{
		{"subject", leaf.Subject},
		{"names", orNone(strings.Join(append(slices.Clip(leaf.DNSNames), leaf.IPAddresses...), ", "))},
		{"issuer", leaf.Issuer},
		{"valid", leaf.NotBefore.Format("2006-01-02") + " to " + leaf.NotAfter.Format("2006-01-02")},
		{"key", fmt.Sprintf("%s %d bits, signed with %s", leaf.Key.Type, leaf.Key.Bits, leaf.Signature)},
		{"chain", fmt.Sprintf("%s sent, %s", certificates(len(c.Chain)), trust)},
	}
	for _, f := range c.Findings {
		if f.Severity != "info" {
			rows = append(rows, []string{f.Severity, f.ID + ": " + f.Message})
		}
	}
	t.table(rows)
}

func (r *Result) writeHSTS(t *textWriter) {
	h := r.HSTS
	t.printf("\nHSTS:\n")
	switch {
	case !h.Checked:
		t.printf("  not checked: %s\n", h.Problem)
	case !h.Present:
		t.printf("  none (HTTP %d)\n", h.Status)
	default:
		t.printf("  %s\n", h.Header)
		if h.MaxAge >= 0 {
			t.printf("  max-age %d days, includeSubDomains %s, preload %s\n", h.MaxAge/86400, yesNo(h.IncludeSubDomains), yesNo(h.Preload))
		}
		if h.Problem != "" {
			t.printf("  problem: %s\n", h.Problem)
		}
	}
}

// certificates is "1 certificate" or "N certificates".
func certificates(n int) string {
	if n == 1 {
		return "1 certificate"
	}
	return fmt.Sprintf("%d certificates", n)
}
