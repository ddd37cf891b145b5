package grade

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestKeyExchangeScoreGroups: the ephemeral key counts by the group the
// server chose (ffdhe as DH, curves as EC); with no certificate and no
// ephemeral size the category is not claimed (0, not measured).
func TestKeyExchangeScoreGroups(t *testing.T) {
	tls13 := func(group uint16) ratingInput {
		a := suite(t, VersionTLS13, "TLS_AES_128_GCM_SHA256")
		a.kex.group = group
		return ratingInput{offered: map[uint16]bool{VersionTLS13: true}, suites: []accepted{a}}
	}
	ecdhe := func(group uint16, key KeyInfo) ratingInput {
		a := suite(t, VersionTLS12, "ECDHE-RSA-AES128-GCM-SHA256")
		a.kex.group = group
		return ratingInput{offered: map[uint16]bool{VersionTLS12: true}, suites: []accepted{a}, serverKeys: []KeyInfo{key}}
	}
	tests := []struct {
		name     string
		in       ratingInput
		score    int
		measured bool
	}{
		{"TLS 1.3 ffdhe2048, no certificate", tls13(0x0100), 90, true},
		{"TLS 1.3 ffdhe4096, no certificate", tls13(0x0102), 100, true},
		{"TLS 1.3 X25519, no certificate", tls13(groupX25519), 100, true},
		{"nothing measured", ratingInput{offered: map[uint16]bool{VersionTLS13: true},
			suites: []accepted{suite(t, VersionTLS13, "TLS_AES_128_GCM_SHA256")}}, 0, false},
		{"ECDHE secp224r1, RSA-4096", ecdhe(0x0015, keyInfoRSA(4096)), 90, true},
		{"ECDHE P-256, RSA-2048", ecdhe(groupP256, keyInfoRSA(2048)), 90, true},
		{"ECDHE P-256, RSA-4096", ecdhe(groupP256, keyInfoRSA(4096)), 100, true},
	}
	for _, tt := range tests {
		score, measured, _ := keyExchangeScore(tt.in)
		if score != tt.score || measured != tt.measured {
			t.Errorf("%s: score %d measured %v, want %d %v", tt.name, score, measured, tt.score, tt.measured)
		}
	}
}

// TestTLS13FFDHEOnly grades openssl serving TLS 1.3 with ffdhe2048 alone:
// Go's client (no ffdhe) cannot connect and TLS 1.3 hides the
// certificate, so the server key is unknown. Key exchange is the ffdhe2048
// group (90), not 100; the server key is listed as not tested; the note
// says no certificate was read, as the certificate section does.
func TestTLS13FFDHEOnly(t *testing.T) {
	pki := sharedPKI(t)
	addr := startOpenSSLServer(t, pki, "rsa", "-tls1_3", "-groups", "ffdhe2048")
	res := gradeLocal(t, addr, pki)
	if res.KeyExchangeScore != 90 || res.Score != 30+27+36 || res.Grade != "T" {
		t.Errorf("grade %s score %d key exchange %d, want T 93 with 90", res.Grade, res.Score, res.KeyExchangeScore)
	}
	if !slices.Equal(res.KeyExchange.DHBits, []int{2048}) || !slices.Equal(res.KeyExchange.GroupsTLS13, []string{"ffdhe2048"}) {
		t.Errorf("dh bits %v, TLS 1.3 groups %v", res.KeyExchange.DHBits, res.KeyExchange.GroupsTLS13)
	}
	if res.Certificate != nil || len(res.KeyExchange.ServerKeys) != 0 {
		t.Fatalf("a certificate was read: %+v", res.Certificate)
	}
	mustContain(t, "not tested", res.NotTested, []string{"the server key (no certificate could be read): key exchange is scored on the ephemeral key alone"})
	mustContain(t, "notes", res.Notes, []string{"no certificate could be read (the probes saw none"})
	for _, n := range res.Notes {
		if strings.Contains(n, "read from the probes") {
			t.Errorf("note %q claims a certificate", n)
		}
	}
	var out bytes.Buffer
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"server key unknown (no certificate read)", "DHE group bits 2048", "certificate:\n  none read"} {
		if !strings.Contains(squeezeSpaces(out.String()), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// squeezeSpaces collapses runs of spaces, so that checks ignore alignment.
func squeezeSpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lead := len(l) - len(strings.TrimLeft(l, " "))
		lines[i] = l[:lead] + strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
