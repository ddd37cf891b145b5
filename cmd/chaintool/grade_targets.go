package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// gradeTargets normalises the arguments and the lines of the targets file
// to host:port.
func gradeTargets(args []string, file string) ([]string, error) {
	out := make([]string, 0, len(args))
	for _, a := range args {
		t, err := normalizeTarget(a)
		if err != nil {
			return nil, usageError("%v", err)
		}
		out = append(out, t)
	}
	if file != "" {
		lines, err := readTargetsFile(file)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	if len(out) == 0 {
		return nil, usageError("grade: name a HOST[:PORT] to grade, or --targets FILE")
	}
	return out, nil
}

// readTargetsFile reads one target per line, normalised; blank lines and
// # comments are skipped. The whole file is read, a line at a time: a
// line longer than maxTargetLine, a line that is no target or more than
// maxTargets targets is an error naming FILE:LINE.
func readTargetsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	var out []string
	r := bufio.NewReaderSize(f, maxTargetLine)
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%s:%d: line too long (at most %d bytes): %s", path, n, maxTargetLine, quoteShort(string(line)))
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
		entry, _, _ := strings.Cut(string(line), "#")
		if entry = strings.TrimSpace(entry); entry != "" {
			t, terr := normalizeTarget(entry)
			if terr != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, terr)
			}
			if len(out) == maxTargets {
				return nil, fmt.Errorf("%s:%d: more than %d targets; split the file", path, n, maxTargets)
			}
			out = append(out, t)
		}
		if err == io.EOF {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: lists no target", path)
	}
	return out, nil
}

// quoteShort quotes s as Go does, cut after 40 bytes: safe to print
// whatever the line holds.
func quoteShort(s string) string {
	const max = 40
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "..."
}

// normalizeTarget accepts HOST, HOST:PORT, [IPv6]:PORT, a bare IPv6
// address or an https:// URL, and returns host:port (port 443 by default).
func normalizeTarget(s string) (string, error) {
	bad := fmt.Errorf("%s: not a HOST[:PORT]", quoteShort(s))
	if strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("%s: not a HOST[:PORT] or https:// URL", quoteShort(s))
		}
		s = u.Host
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "443"
	}
	if !validHost(host) || !validPort(port) {
		return "", bad
	}
	return net.JoinHostPort(host, port), nil
}

// validHost accepts an IP address (IPv6 with a zone too, the zone a plain
// name: "[::%[]:443" would not split again) or a plain name.
func validHost(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == "" || plainName(a.Zone())
	}
	return plainName(h)
}

// plainName reports whether h is made of letters, digits, '-', '_' and
// dots only, and is not too long for a DNS name.
func plainName(h string) bool {
	if h == "" || len(h) > 253 || !utf8.ValidString(h) {
		return false
	}
	for _, r := range h {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			return false
		}
	}
	return true
}
func validPort(p string) bool {
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
		if n > 65535 {
			return false
		}
	}
	return n > 0
}
