package grade

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// hstsMinAge is the max-age the rating guide wants for A+: 180 days.
const hstsMinAge = 15552000

// parseHSTS judges the Strict-Transport-Security header values of one
// response by RFC 6797: only the first header counts, every directive at
// most once, max-age required and a number (quotes allowed).
func parseHSTS(values []string) HSTSResult {
	h := HSTSResult{MaxAge: -1}
	if len(values) == 0 {
		h.Problem = "no Strict-Transport-Security header"
		return h
	}
	h.Present, h.Header = true, values[0]
	seen := map[string]bool{}
	for _, d := range strings.Split(values[0], ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if seen[name] {
			h.Problem = fmt.Sprintf("HSTS header malformed: directive %q appears twice", name)
			h.MaxAge = -1
			return h
		}
		seen[name] = true
		switch name {
		case "max-age":
			h.MaxAge = parseMaxAge(value)
		case "includesubdomains":
			h.IncludeSubDomains = true
		case "preload":
			h.Preload = true
		}
	}
	switch {
	case !seen["max-age"]:
		h.Problem = "HSTS header malformed: no max-age"
	case h.MaxAge < 0:
		h.Problem = fmt.Sprintf("HSTS header malformed: max-age is not a number in %q", values[0])
	case h.MaxAge == 0:
		h.Problem = "HSTS disabled: max-age=0"
	case h.MaxAge < hstsMinAge:
		h.Problem = fmt.Sprintf("HSTS max-age %d s (%d days) is under 180 days", h.MaxAge, h.MaxAge/86400)
	}
	return h
}

func parseMaxAge(v string) int64 {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return math.MaxInt64 // only digits, so out of range: very long
	}
	return n
}
