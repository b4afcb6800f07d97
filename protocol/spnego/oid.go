package spnego

import "encoding/asn1"

// Mechanism and protocol OIDs seen in SMB security buffers. Treat them as
// constants: they are shared, so never modify their elements.
var (
	// OIDSPNEGO identifies SPNEGO itself in the GSS-API token header
	// (RFC 4178 section 3).
	OIDSPNEGO = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
	// OIDNTLMSSP is the NTLM security support provider (MS-NLMP).
	OIDNTLMSSP = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
	// OIDKerberos5 is Kerberos V5 (RFC 4121).
	OIDKerberos5 = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	// OIDMSKerberos5 is the OID Windows uses for Kerberos V5, with a
	// truncated arc (MS-SPNG 1.9).
	OIDMSKerberos5 = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
	// OIDKerberos5U2U is Kerberos V5 user-to-user, which Samba domain
	// controllers advertise.
	OIDKerberos5U2U = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2, 3}
	// OIDNegoEx is the NEGOEX extension (MS-NEGOEX) Windows advertises.
	OIDNegoEx = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}
)
