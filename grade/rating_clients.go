package grade

import (
	"fmt"
	"slices"
	"strings"
)

// negotiation is one suite a client ended up with.
type negotiation struct {
	suite   Suite
	version uint16
	dhBits  int
	client  string
}

// clientCaps applies the forward secrecy, AEAD, 64-bit block and weak-DH
// caps to what the simulated clients negotiated, as SSL Labs does. When no
// simulated client completes a handshake, they are judged on the best a
// client could get from the suites offered.
func clientCaps(in ratingInput) ([]Cap, []string) {
	var got []negotiation
	for _, s := range in.sims {
		if s.Error == "" && s.Protocol != "" {
			got = append(got, negotiation{s.suite, s.version, s.DHBits, s.Client})
		}
	}
	if len(got) > 0 {
		return capsOn(got), nil
	}
	if len(in.suites) == 0 {
		return nil, nil
	}
	note := "no simulated client completed a handshake: the forward secrecy, AEAD, 3DES and DH caps are judged on the suites offered"
	return fallbackCaps(in.suites), []string{note}
}

func capsOn(got []negotiation) []Cap {
	type rule struct {
		grade, what string
		hit         func(n negotiation) bool
	}
	rules := []rule{
		{"F", "insecure DH group (under 1024 bits)", func(n negotiation) bool { return n.dhBits > 0 && n.dhBits < 1024 }},
		{"C", "64-bit block cipher with TLS 1.1 or later (Sweet32)", func(n negotiation) bool {
			return n.version >= VersionTLS11 && n.suite.SmallBlock()
		}},
		{"B", "no forward secrecy", func(n negotiation) bool { return !n.suite.ForwardSecret() }},
		{"B", "no AEAD suite", func(n negotiation) bool { return !n.suite.AEAD() }},
		{"B", "weak DH group (under 2048 bits)", func(n negotiation) bool { return n.dhBits >= 1024 && n.dhBits < 2048 }},
	}
	var caps []Cap
	for _, r := range rules {
		bySuite := map[string][]string{}
		var order []string
		for _, n := range got {
			if !r.hit(n) {
				continue
			}
			key := n.suite.OpenSSL
			if n.dhBits > 0 {
				key += fmt.Sprintf(" with a %d-bit group", n.dhBits)
			}
			if _, ok := bySuite[key]; !ok {
				order = append(order, key)
			}
			bySuite[key] = append(bySuite[key], n.client)
		}
		var parts []string
		for _, k := range order {
			parts = append(parts, k+" ("+strings.Join(bySuite[k], ", ")+")")
		}
		if len(parts) > 0 {
			caps = append(caps, Cap{r.grade, r.what + ": " + strings.Join(parts, "; ")})
		}
	}
	return caps
}

// fallbackCaps judges the suites offered as the best client would.
func fallbackCaps(suites []accepted) []Cap {
	var caps []Cap
	fs := slices.ContainsFunc(suites, func(a accepted) bool { return a.ForwardSecret() })
	aead := slices.ContainsFunc(suites, func(a accepted) bool { return a.AEAD() })
	if !fs {
		caps = append(caps, Cap{"B", "no forward secrecy: no suite offered has it"})
	}
	if !aead {
		caps = append(caps, Cap{"B", "no AEAD suite offered"})
	}
	modern := false
	for _, a := range suites {
		if a.version >= VersionTLS11 && !a.SmallBlock() {
			modern = true
		}
	}
	if !modern && slices.ContainsFunc(suites, func(a accepted) bool { return a.version >= VersionTLS11 && a.SmallBlock() }) {
		caps = append(caps, Cap{"C", "64-bit block cipher is the only choice with TLS 1.1 or later (Sweet32)"})
	}
	ecdhe := slices.ContainsFunc(suites, func(a accepted) bool { return a.Kx == kxECDHE || a.Kx == kxAny })
	minDH := 0
	for _, a := range suites {
		if a.kex.dhBits > 0 && (minDH == 0 || a.kex.dhBits < minDH) {
			minDH = a.kex.dhBits
		}
	}
	switch {
	case ecdhe || minDH == 0:
	case minDH < 1024:
		caps = append(caps, Cap{"F", fmt.Sprintf("insecure DH group: %d bits", minDH)})
	case minDH < 2048:
		caps = append(caps, Cap{"B", fmt.Sprintf("weak DH group: %d bits", minDH)})
	}
	return caps
}

// warnings are what turns an A into an A-; notes explain the rest.
func warnings(in ratingInput, notes []string) (warn, outNotes []string) {
	if !in.offered[VersionTLS13] {
		warn = append(warn, "TLS 1.3 not supported")
	}
	if in.renegotiation != nil && !*in.renegotiation {
		warn = append(warn, "secure renegotiation not supported")
	}
	h := in.hsts
	switch {
	case !h.Checked:
		notes = append(notes, "HSTS not checked: "+h.Problem+"; no A+ without it")
	case !h.Present:
		notes = append(notes, "no HSTS header: SSL Labs withholds A+ (testssl.sh 3.2 would still give A+; chaintool follows SSL Labs)")
	case h.Problem != "":
		warn = append(warn, h.Problem)
	}
	return warn, notes
}

// notTested lists the checks of the guide chaintool does not perform: the
// grade never claims a server safe from them.
var notTested = []string{
	"Heartbleed (CVE-2014-0160)",
	"OpenSSL CCS injection (CVE-2014-0224)",
	"ROBOT (RSA padding oracle)",
	"Ticketbleed (CVE-2016-9244)",
	"DROWN through another server that shares the key (SSL 2.0 on this one is tested)",
	"POODLE over TLS and other CBC padding oracles (Zombie POODLE, GOLDENDOODLE)",
	"insecure client-initiated renegotiation",
	"certificate revocation (OCSP, CRL)",
}
