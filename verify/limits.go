package verify

// checkLimits reports a search that stopped at one of its bounds, and
// whether it did: then whether the chain is complete is not known.
func (c *checker) checkLimits() bool {
	b := c.builder
	why := ""
	switch b.limit {
	case limitChecks:
		why = "after " + itoa(b.checks) + " signature checks"
	case limitLooked:
		why = "after looking at " + itoa(b.looked) + " candidate issuers"
	case limitSteps:
		why = "after trying " + itoa(maxSteps) + " paths"
	}
	if why != "" {
		c.r.add(SearchLimit, -1, nil, "the search for the path stopped "+why+", its limit for "+
			itoa(len(c.unique))+" certificates"+c.crowdedName()+", so the chain is not fully checked")
		return true
	}
	if c.searchCut() {
		if c.r.Trusted {
			return true // crypto/x509 found the longer path to an anchor
		}
		top := c.givenPath[len(c.givenPath)-1]
		c.addFor(SearchLimit, top, "the path from the leaf is longer than "+itoa(maxDepth)+
			" certificates, where the search stops, so the chain is not fully checked")
		return true
	}
	return false
}

// searchCut reports whether the search stopped at a bound, or the path
// through the given certificates at the greatest depth, short of a root.
func (c *checker) searchCut() bool {
	b := c.builder
	return b.limit != noLimit || len(c.givenPath) >= maxDepth && !b.complete(c.givenPath)
}

// crowdedName names the subject most given certificates share, when many
// do: what makes the search expensive.
func (c *checker) crowdedName() string {
	count := map[string]int{}
	most, name := 0, ""
	for _, n := range c.unique {
		k := string(n.cert.RawSubject)
		if count[k]++; count[k] > most {
			most, name = count[k], CertName(n.cert)
		}
	}
	if most < 2 {
		return ""
	}
	return " (" + itoa(most) + " of them named " + name + ")"
}
