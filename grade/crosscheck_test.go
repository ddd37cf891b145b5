package grade

import (
	"encoding/xml"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// sslscanReport is the part of sslscan's --xml output compared here.
type sslscanReport struct {
	Test struct {
		Protocols []struct {
			Type    string `xml:"type,attr"`
			Version string `xml:"version,attr"`
			Enabled string `xml:"enabled,attr"`
		} `xml:"protocol"`
		Ciphers []struct {
			Version string `xml:"sslversion,attr"`
			ID      string `xml:"id,attr"`
			Name    string `xml:"cipher,attr"`
			DHBits  string `xml:"dhebits,attr"`
		} `xml:"cipher"`
		Groups []struct {
			Version string `xml:"sslversion,attr"`
			ID      string `xml:"id,attr"`
		} `xml:"group"`
	} `xml:"ssltest"`
}

// crossCheckSSLScan runs sslscan on addr and compares its protocols,
// suites (by id, per protocol), DH sizes and groups with res. sslscan
// links the system OpenSSL, so only groups that OpenSSL knows are compared.
func crossCheckSSLScan(t *testing.T, addr string, res *Result) {
	t.Run("sslscan", func(t *testing.T) {
		sslscan := testpki.NeedTool(t, "sslscan")
		out, err := exec.Command(sslscan, "--no-colour", "--xml=-", "--no-heartbleed", "--no-renegotiation",
			"--no-compression", "--no-fallback", "--no-check-certificate", "--sni-name=localhost", addr).Output()
		if err != nil {
			t.Fatalf("sslscan: %v", err)
		}
		var rep sslscanReport
		if err := xml.Unmarshal(out, &rep); err != nil {
			t.Fatalf("sslscan output: %v\n%s", err, out)
		}
		compareProtocols(t, rep, res)
		compareSuites(t, rep, res)
		compareGroups(t, rep, res)
	})
}

func compareProtocols(t *testing.T, rep sslscanReport, res *Result) {
	t.Helper()
	theirs := []string{}
	for _, p := range rep.Test.Protocols {
		if p.Enabled == "1" {
			name := map[string]string{"ssl": "SSL", "tls": "TLS"}[p.Type] + " " + p.Version
			if p.Type == "ssl" {
				name += ".0"
			}
			theirs = append(theirs, name)
		}
	}
	slices.Sort(theirs)
	ours := offeredNames(res)
	slices.Sort(ours)
	if !slices.Equal(ours, theirs) {
		t.Errorf("protocols: chaintool %v, sslscan %v", ours, theirs)
	}
}

func compareSuites(t *testing.T, rep sslscanReport, res *Result) {
	t.Helper()
	theirs, ours := map[string][]string{}, map[string][]string{}
	for _, c := range rep.Test.Ciphers {
		proto := strings.Replace(strings.Replace(c.Version, "TLSv", "TLS ", 1), "SSLv", "SSL ", 1)
		if !strings.Contains(proto, ".") {
			proto += ".0"
		}
		theirs[proto] = append(theirs[proto], strings.ToUpper(c.ID))
		if c.DHBits != "" {
			for _, s := range res.Suites {
				if s.Protocol == proto && strings.EqualFold(s.ID, c.ID) && strconv.Itoa(s.DHBits) != c.DHBits {
					t.Errorf("%s %s: DH %d bits, sslscan %s", proto, c.Name, s.DHBits, c.DHBits)
				}
			}
		}
	}
	for _, s := range res.Suites {
		ours[s.Protocol] = append(ours[s.Protocol], strings.ToUpper(s.ID))
	}
	for _, m := range []map[string][]string{theirs, ours} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		t.Errorf("suites:\nchaintool %v\nsslscan   %v", ours, theirs)
	}
}

func compareGroups(t *testing.T, rep sslscanReport, res *Result) {
	t.Helper()
	known := map[string]bool{}
	theirs := map[string][]string{}
	for _, g := range rep.Test.Groups {
		id, err := strconv.ParseUint(strings.TrimPrefix(g.ID, "0x"), 16, 16)
		if err != nil {
			t.Fatalf("sslscan group id %q", g.ID)
		}
		name := LookupGroup(uint16(id)).Name
		known[name] = true
		theirs[g.Version] = append(theirs[g.Version], name)
	}
	ours := map[string][]string{}
	for v, list := range map[string][]string{"TLSv1.3": res.KeyExchange.GroupsTLS13, "TLSv1.2": res.KeyExchange.GroupsTLS12} {
		for _, g := range list {
			if sslscanKnows(g) {
				ours[v] = append(ours[v], g)
			}
		}
	}
	for _, m := range []map[string][]string{theirs, ours} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		t.Errorf("groups:\nchaintool %v\nsslscan   %v", ours, theirs)
	}
}

// sslscanKnows reports whether OpenSSL 3.0 (which sslscan links) can offer
// a group: no hybrid or ML-KEM group.
func sslscanKnows(name string) bool {
	return !strings.Contains(name, "MLKEM")
}
