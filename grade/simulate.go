package grade

import (
	"context"
	"fmt"
	"slices"
)

// clientProfile is the ClientHello of a current client, replayed to see
// what the server negotiates with it.
type clientProfile struct {
	name     string
	versions []uint16 // supported_versions, highest first
	suites   []uint16
	groups   []uint16
	shares   []uint16
	sigAlgs  []uint16
}

// TLS 1.2 suite lists of current clients (2025), in their own order.
var (
	chromeSuites = []uint16{
		0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
		0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
	}
	firefoxSuites = []uint16{
		0x1301, 0x1303, 0x1302, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030,
		0xC00A, 0xC009, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
	}
	safariSuites = []uint16{
		0x1302, 0x1303, 0x1301, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xC02F, 0xCCA8,
		0xC00A, 0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x0035, 0x002F,
		0xC008, 0xC012, 0x000A,
	}
	openSSL3Suites = []uint16{
		0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA,
		0xC02B, 0xC02F, 0x009E, 0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067,
		0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033, 0x009D, 0x009C, 0x003D,
		0x003C, 0x0035, 0x002F, scsvRenegotiation,
	}
	goSuites = []uint16{
		0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
		0xC009, 0xC013, 0xC00A, 0xC014,
	}
)

var (
	sigAlgsBrowser = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
	sigAlgsOpenSSL = []uint16{
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081A, 0x081B, 0x081C, 0x0809, 0x080A, 0x080B,
		0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
	}
	tls13and12 = []uint16{VersionTLS13, VersionTLS12}
)

// clientProfiles are the clients the FS, AEAD, 3DES and weak-DH caps are
// judged by, as SSL Labs judges them by its handshake simulation.
var clientProfiles = []clientProfile{
	{
		name: "Chrome 142", versions: tls13and12, suites: chromeSuites,
		groups:  []uint16{groupX25519MLKEM768, groupX25519, groupP256, groupP384},
		shares:  []uint16{groupX25519MLKEM768, groupX25519},
		sigAlgs: sigAlgsBrowser,
	},
	{
		name: "Firefox 145", versions: tls13and12, suites: firefoxSuites,
		groups:  []uint16{groupX25519MLKEM768, groupX25519, groupP256, groupP384, groupP521, 0x0100, 0x0101},
		shares:  []uint16{groupX25519MLKEM768, groupX25519, groupP256},
		sigAlgs: []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201},
	},
	{
		name: "Safari 26", versions: tls13and12, suites: safariSuites,
		groups:  []uint16{groupX25519MLKEM768, groupX25519, groupP256, groupP384, groupP521},
		shares:  []uint16{groupX25519MLKEM768, groupX25519},
		sigAlgs: []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0203, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201},
	},
	{
		name: "curl 8 / OpenSSL 3.0", versions: tls13and12, suites: openSSL3Suites,
		groups:  []uint16{groupX25519, groupP256, 0x001E, groupP521, groupP384, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104},
		shares:  []uint16{groupX25519},
		sigAlgs: sigAlgsOpenSSL,
	},
	{
		name: "curl 8 / OpenSSL 3.5", versions: tls13and12, suites: openSSL3Suites,
		groups:  []uint16{groupX25519MLKEM768, groupX25519, groupP256, 0x001E, groupP384, groupP521, 0x0100, 0x0101},
		shares:  []uint16{groupX25519MLKEM768, groupX25519},
		sigAlgs: sigAlgsOpenSSL,
	},
	{
		name: "Go 1.26", versions: tls13and12, suites: goSuites,
		groups:  []uint16{groupX25519MLKEM768, groupX25519, groupP256, groupP384, groupP521},
		shares:  []uint16{groupX25519MLKEM768, groupX25519},
		sigAlgs: []uint16{0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603, 0x0201, 0x0203},
	},
}

// hello is the profile's ClientHello for server name sni.
func (c clientProfile) hello(sni string) *clientHello {
	return &clientHello{
		recordVersion: VersionTLS10,
		version:       VersionTLS12,
		sessionID:     compatSessionID(),
		suites:        c.suites,
		serverName:    sni,
		groups:        c.groups,
		pointFormats:  true,
		sigAlgs:       c.sigAlgs,
		versions:      c.versions,
		keyShareExt:   true,
		shareGroups:   c.shares,
		renegotiation: true,
		alpn:          []string{"h2", "http/1.1"},
		ems:           true,
		ticket:        true,
		statusRequest: true,
		sct:           true,
		pskModes:      true,
	}
}

// simulate replays one client's hello and records what it ends up with.
func (sc *scanner) simulate(ctx context.Context, c clientProfile) {
	sim := Simulation{Client: c.name}
	f, err := sc.p.hello(ctx, c.hello(sc.p.serverName))
	switch {
	case f.hello != nil && c.refuses(f.hello) != "":
		sim.Error = c.refuses(f.hello)
	case f.hello != nil:
		v := f.hello.negotiatedVersion()
		s, _ := LookupSuite(f.hello.suite)
		sim.Protocol = VersionName(v)
		sim.Suite, sim.OpenSSL = s.Name, s.OpenSSL
		sim.ForwardSecrecy, sim.AEAD = s.ForwardSecret(), s.AEAD()
		sim.suite, sim.version = s, v
		if v == VersionTLS13 {
			sim.Group = LookupGroup(f.hello.group).Name
		} else if f.keyExchange != nil {
			if kex, err := parseKeyExchange(s.Kx, f.keyExchange); err == nil {
				sim.DHBits = kex.dhBits
				if kex.group != 0 {
					sim.Group = LookupGroup(kex.group).Name
				}
			}
		}
	case f.alert != nil:
		sim.Error = "refused: " + f.alert.String()
	case err != nil:
		sim.Error = describeProbeError(err)
	default:
		sim.Error = "no answer"
	}
	sc.facts.mu.Lock()
	defer sc.facts.mu.Unlock()
	sc.facts.sims = append(sc.facts.sims, sim)
}

// refuses says why the client would abort the handshake the server
// answered with h: a protocol version or a suite it never offered. Empty
// when it would go on.
func (c clientProfile) refuses(h *serverHello) string {
	if v := h.negotiatedVersion(); !slices.Contains(c.versions, v) {
		return fmt.Sprintf("the server chose %s, which the client does not offer", VersionName(v))
	}
	if !slices.Contains(c.suites, h.suite) {
		name := fmt.Sprintf("0x%04X", h.suite)
		if s, ok := LookupSuite(h.suite); ok {
			name = s.OpenSSL
		}
		return fmt.Sprintf("the server chose %s, which the client does not offer", name)
	}
	return ""
}
