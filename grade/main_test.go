package grade

import (
	"os"
	"testing"
)

// TestMain removes the PKI folder the real-server tests share and stops
// its AIA server.
func TestMain(m *testing.M) {
	code := m.Run()
	if pkiData != nil {
		_ = os.RemoveAll(pkiData.dir)
		_ = pkiData.aia.Close()
	}
	os.Exit(code)
}
