module github.com/smbfs/smbfs

go 1.26.0

require (
	github.com/hack-pad/hackpadfs v0.2.4
	github.com/jcmturner/gokrb5/v8 v8.4.4
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/spf13/afero v1.15.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/hashicorp/go-uuid v1.0.3 // indirect
	github.com/jcmturner/aescts/v2 v2.0.0 // indirect
	github.com/jcmturner/dnsutils/v2 v2.0.0 // indirect
	github.com/jcmturner/gofork v1.7.6 // indirect
	github.com/jcmturner/rpc/v2 v2.0.3 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
