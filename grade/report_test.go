package grade

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// TestCertificateReport: the certificate section names IP SANs beside
// DNS names (JSON ip_addresses), and counts one certificate in the
// singular.
func TestCertificateReport(t *testing.T) {
	root := testpki.NewRoot("Report Root")
	leaf := root.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1"))
	cert, _ := certificateResult(testpki.X509(leaf), Options{Roots: rootsOf(root.Cert), At: testpki.Now}, "localhost", nil)
	res := &Result{Target: "127.0.0.1:443", Grade: "A", Certificate: cert}
	var out bytes.Buffer
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := squeezeSpaces(out.String())
	for _, want := range []string{"  names localhost, 127.0.0.1, ::1\n", "  chain 1 certificate sent, trusted\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"dns_names":["localhost"],"ip_addresses":["127.0.0.1","::1"]`; !bytes.Contains(data, []byte(want)) {
		t.Errorf("JSON lacks %s:\n%s", want, data)
	}
	if got := certificates(2); got != "2 certificates" {
		t.Errorf("certificates(2) = %q", got)
	}
}
