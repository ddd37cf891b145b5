package serve

import (
	"crypto/tls"
	"strconv"
)

// versionName is the protocol as nginx's $ssl_protocol writes it:
// "TLSv1.2", "TLSv1.3". It is used in access log lines.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

// GroupName names a key exchange group the way GRADING.md does:
// "X25519MLKEM768", "X25519", "P-256". Zero (RSA key exchange) is "".
func GroupName(id tls.CurveID) string {
	switch id {
	case 0:
		return ""
	case tls.CurveP256:
		return "P-256"
	case tls.CurveP384:
		return "P-384"
	case tls.CurveP521:
		return "P-521"
	}
	return id.String()
}
