package grade

import (
	"errors"
	"fmt"
	"io"
)

// Limits on what a server may send a probe: a record, one handshake
// message, and the whole first flight. Anything bigger is garbage.
const (
	maxRecordPayload = maxPlaintext + 2048
	maxHandshakeMsg  = 1 << 18
	maxFlightBytes   = 1 << 19
)

// Handshake message types read from servers.
const (
	msgServerHello       uint8 = 2
	msgCertificate       uint8 = 11
	msgServerKeyExchange uint8 = 12
	msgServerHelloDone   uint8 = 14
)

// errGarbage marks a reply that is not TLS at all.
var errGarbage = errors.New("not a TLS reply")

// flight is what a server sent in answer to a ClientHello, up to its
// ServerHelloDone (TLS 1.2 and earlier), its ServerHello (TLS 1.3 or a
// HelloRetryRequest) or a fatal alert.
type flight struct {
	hello       *serverHello
	certs       [][]byte // the Certificate message's DER entries
	keyExchange []byte   // the ServerKeyExchange body
	done        bool     // ServerHelloDone seen
	alert       *alert   // alert received instead
}

// alert is a TLS alert.
type alert struct {
	level, desc uint8
}

func (a *alert) String() string {
	if name, ok := alertNames[a.desc]; ok {
		return name
	}
	return fmt.Sprintf("alert %d", a.desc)
}

var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
	40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter", 50: "decode_error",
	51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
	110: "unsupported_extension", 112: "unrecognized_name", 120: "no_application_protocol",
}

// readRecord reads one TLS record header and payload.
func readRecord(r io.Reader) (typ uint8, payload []byte, err error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:1]); err != nil {
		return 0, nil, err
	}
	if hdr[0] < recordChangeCipherSpec || hdr[0] > recordHeartbeat {
		return 0, nil, describeGarbage(hdr[0])
	}
	if _, err := io.ReadFull(r, hdr[1:]); err != nil {
		return 0, nil, noEOF(err)
	}
	if hdr[1] != 3 && !(hdr[1] == 0 && hdr[2] == 0 && hdr[0] == recordAlert) {
		return 0, nil, fmt.Errorf("%w: record version %d.%d", errGarbage, hdr[1], hdr[2])
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if n > maxRecordPayload {
		return 0, nil, fmt.Errorf("%w: record of %d bytes", errGarbage, n)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, noEOF(err)
	}
	return hdr[0], payload, nil
}

func describeGarbage(first byte) error {
	switch {
	case first == 'H':
		return fmt.Errorf("%w: the server answered in plain text (HTTP?)", errGarbage)
	case first&0x80 != 0:
		return fmt.Errorf("%w: an SSL 2.0 record", errGarbage)
	}
	return fmt.Errorf("%w: first byte 0x%02x", errGarbage, first)
}

// noEOF turns an EOF in the middle of a record into ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readFlight reads records from r until the server's first flight is
// complete. It returns what it got with the error that stopped it, so a
// caller still sees a ServerHello followed by a reset.
func readFlight(r io.Reader) (*flight, error) {
	f := &flight{}
	var buf []byte
	total := 0
	for {
		typ, payload, err := readRecord(r)
		if err != nil {
			return f, err
		}
		if total += len(payload); total > maxFlightBytes {
			return f, fmt.Errorf("%w: first flight over %d bytes", errGarbage, maxFlightBytes)
		}
		switch typ {
		case recordAlert:
			if len(payload) < 2 {
				return f, fmt.Errorf("%w: short alert", errGarbage)
			}
			f.alert = &alert{level: payload[0], desc: payload[1]}
			return f, nil
		case recordChangeCipherSpec:
			continue // TLS 1.3 middlebox compatibility
		case recordApplicationData, recordHeartbeat:
			if f.hello == nil {
				return f, fmt.Errorf("%w: data before the ServerHello", errGarbage)
			}
			return f, nil
		}
		buf = append(buf, payload...)
		var stop bool
		if buf, stop, err = f.consume(buf); err != nil || stop {
			return f, err
		}
	}
}

// consume handles every complete handshake message in buf and returns the
// rest; stop is true once the flight is complete.
func (f *flight) consume(buf []byte) (rest []byte, stop bool, err error) {
	for len(buf) >= 4 {
		typ := buf[0]
		n := int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
		if n > maxHandshakeMsg {
			return nil, true, fmt.Errorf("%w: handshake message of %d bytes", errGarbage, n)
		}
		if len(buf) < 4+n {
			return buf, false, nil
		}
		body := buf[4 : 4+n]
		buf = buf[4+n:]
		if stop, err := f.handle(typ, body); err != nil || stop {
			return buf, true, err
		}
	}
	return buf, false, nil
}

func (f *flight) handle(typ uint8, body []byte) (stop bool, err error) {
	if f.hello == nil && typ != msgServerHello {
		return true, fmt.Errorf("%w: handshake message %d before the ServerHello", errGarbage, typ)
	}
	switch typ {
	case msgServerHello:
		if f.hello != nil {
			return true, fmt.Errorf("%w: second ServerHello", errGarbage)
		}
		h, err := parseServerHello(body)
		if err != nil {
			return true, err
		}
		f.hello = h
		return h.retry || h.negotiatedVersion() >= VersionTLS13, nil
	case msgCertificate:
		certs, err := parseCertificateMsg(body)
		if err != nil {
			return true, err
		}
		f.certs = certs
	case msgServerKeyExchange:
		f.keyExchange = body
	case msgServerHelloDone:
		f.done = true
		return true, nil
	}
	return false, nil
}
