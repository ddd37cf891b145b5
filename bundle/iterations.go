package bundle

import (
	"encoding/asn1"
	"fmt"
	"math"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Reading the iteration counts of encrypted keys and PKCS#12 files from
// their headers, before any key is derived, so that Read can refuse a file
// that would keep it busy for minutes. Only the few fields that hold the
// counts are read here. Encrypted PKCS#8 keys are decrypted in pem.go;
// PKCS#12 files by go-pkcs12, which derives every key of a file again on
// each decode, so der.go charges each decode (and the one-iteration PBMAC1
// MAC it makes for a file without a MAC).

var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBMAC1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
)

var explicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()

// pfxMAC is what the cost of a PKCS#12 MAC is called.
const pfxMAC = "PKCS#12 MAC"

// kdfCost is the iteration count one encrypted part of an input declares.
type kdfCost struct {
	what       string // "private key", "PKCS#12 MAC", ...
	iterations int64
}

// spendIterations adds cost to the input's key-derivation iterations and
// refuses it once the sum passes MaxKDFIterations.
func (r *reader) spendIterations(cost kdfCost) error {
	if cost.iterations > MaxKDFIterations {
		return fmt.Errorf("%w: the %s asks for %d, chaintool allows %d per input",
			ErrTooManyIterations, cost.what, cost.iterations, MaxKDFIterations)
	}
	if r.iterations+cost.iterations > MaxKDFIterations {
		return fmt.Errorf("%w: with the %s this input asks for %d in all, chaintool allows %d per input",
			ErrTooManyIterations, cost.what, r.iterations+cost.iterations, MaxKDFIterations)
	}
	r.iterations += cost.iterations
	return nil
}

// encryptedKeyIterations returns the iteration count of an
// EncryptedPrivateKeyInfo (PKCS#8), 0 when it has none or cannot be read.
func encryptedKeyIterations(der []byte) int64 {
	s := cryptobyte.String(der)
	var info cryptobyte.String
	if !s.ReadASN1(&info, cbasn1.SEQUENCE) {
		return 0
	}
	return algorithmIterations(info)
}

// algorithmIterations reads the AlgorithmIdentifier at the start of s and
// returns its iteration count: PBKDF2's for PBES2 and PBMAC1, the second
// parameter for PKCS#5 v1 and PKCS#12 password-based encryption (salt,
// iterations). It returns 0 when there is no count or it cannot be read.
func algorithmIterations(s cryptobyte.String) int64 {
	var alg, params cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!alg.ReadASN1(&params, cbasn1.SEQUENCE) {
		return 0
	}
	if oid.Equal(oidPBES2) || oid.Equal(oidPBMAC1) {
		// SEQUENCE { keyDerivationFunc AlgorithmIdentifier, ... }
		var kdf cryptobyte.String
		var kdfOID asn1.ObjectIdentifier
		if !params.ReadASN1(&kdf, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&kdfOID) ||
			!kdfOID.Equal(oidPBKDF2) || !kdf.ReadASN1(&params, cbasn1.SEQUENCE) {
			return 0
		}
	}
	// SEQUENCE { salt, iterationCount INTEGER, ... }
	var salt cryptobyte.String
	var tag cbasn1.Tag
	if !params.ReadAnyASN1Element(&salt, &tag) {
		return 0
	}
	return readIterationCount(&params)
}

// readIterationCount reads an INTEGER, of any size, as a count: negative
// counts are 0, counts beyond int64 are math.MaxInt64.
func readIterationCount(s *cryptobyte.String) int64 {
	n := new(big.Int)
	if !s.ReadASN1Integer(n) || n.Sign() < 0 {
		return 0
	}
	if !n.IsInt64() {
		return math.MaxInt64
	}
	return n.Int64()
}

// pfxCosts lists the iteration counts a PKCS#12 file declares where they
// can be read before decryption: its MAC, each encrypted part and each
// shrouded key in an unencrypted part. (A shrouded key inside an encrypted
// part is out of sight until go-pkcs12 decrypts that part.)
func pfxCosts(der []byte) []kdfCost {
	s := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	if !s.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.SkipASN1(cbasn1.INTEGER) ||
		!pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return nil
	}
	var costs []kdfCost
	var macData cryptobyte.String
	if pfx.ReadASN1(&macData, cbasn1.SEQUENCE) {
		costs = append(costs, kdfCost{pfxMAC, macIterations(macData)})
	}
	var safes cryptobyte.String
	if content, ok := dataContent(authSafe); ok && content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		costs = append(costs, safeCosts(safes)...)
	}
	return costs
}

// macIterations reads MacData: SEQUENCE { mac DigestInfo, macSalt OCTET
// STRING, iterations INTEGER DEFAULT 1 }. With PBMAC1 the count is in the
// MAC algorithm's parameters and the iterations field is ignored.
func macIterations(macData cryptobyte.String) int64 {
	var digestInfo cryptobyte.String
	if !macData.ReadASN1(&digestInfo, cbasn1.SEQUENCE) {
		return 0
	}
	alg := digestInfo
	var algSeq cryptobyte.String
	var oid asn1.ObjectIdentifier
	if alg.ReadASN1(&algSeq, cbasn1.SEQUENCE) && algSeq.ReadASN1ObjectIdentifier(&oid) && oid.Equal(oidPBMAC1) {
		return algorithmIterations(digestInfo)
	}
	if !macData.SkipASN1(cbasn1.OCTET_STRING) || !macData.PeekASN1Tag(cbasn1.INTEGER) {
		return 1
	}
	return readIterationCount(&macData)
}

// dataContent returns the OCTET STRING of a ContentInfo of type data.
func dataContent(contentInfo cryptobyte.String) (cryptobyte.String, bool) {
	var oid asn1.ObjectIdentifier
	var wrapped, content cryptobyte.String
	if !contentInfo.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidData) ||
		!contentInfo.ReadASN1(&wrapped, explicit0) || !wrapped.ReadASN1(&content, cbasn1.OCTET_STRING) {
		return nil, false
	}
	return content, true
}

// safeCosts walks the AuthenticatedSafe (a SEQUENCE OF ContentInfo): the
// encryption algorithm of each encryptedData part, and the shrouded keys
// of each data part.
func safeCosts(safes cryptobyte.String) []kdfCost {
	var costs []kdfCost
	for !safes.Empty() {
		var ci cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			break
		}
		if content, ok := dataContent(ci); ok {
			costs = append(costs, bagCosts(content)...)
			continue
		}
		var oid asn1.ObjectIdentifier
		var wrapped, encData, encInfo cryptobyte.String
		// encryptedData: [0] { SEQUENCE { version, SEQUENCE { contentType, algorithm, ... } } }
		if ci.ReadASN1ObjectIdentifier(&oid) && oid.Equal(oidEncryptedData) &&
			ci.ReadASN1(&wrapped, explicit0) && wrapped.ReadASN1(&encData, cbasn1.SEQUENCE) &&
			encData.SkipASN1(cbasn1.INTEGER) && encData.ReadASN1(&encInfo, cbasn1.SEQUENCE) &&
			encInfo.SkipASN1(cbasn1.OBJECT_IDENTIFIER) {
			costs = append(costs, kdfCost{"encrypted PKCS#12 part", algorithmIterations(encInfo)})
		}
	}
	return costs
}

// bagCosts reads a SafeContents (SEQUENCE OF SafeBag) for shrouded keys.
func bagCosts(content cryptobyte.String) []kdfCost {
	var costs []kdfCost
	var bags cryptobyte.String
	if !content.ReadASN1(&bags, cbasn1.SEQUENCE) {
		return nil
	}
	for !bags.Empty() {
		var bag, value cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !bags.ReadASN1(&bag, cbasn1.SEQUENCE) || !bag.ReadASN1ObjectIdentifier(&oid) {
			break
		}
		if oid.Equal(oidShroudedKeyBag) && bag.ReadASN1(&value, explicit0) {
			costs = append(costs, kdfCost{"PKCS#12 private key", encryptedKeyIterations(value)})
		}
	}
	return costs
}
