package spec

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Winsock vocabulary beyond the error table: the names of address
// families, extension GUIDs and DisconnectEx flags, the second names of
// error codes, and how durations print. The emulator's trace, the native
// backend and the disconnectex command all name things through these, so a
// name is spelled in one place.

// winsockAliases are the second names Winsock gives Win32 codes (winsock2.h
// defines WSA_IO_PENDING as ERROR_IO_PENDING and so on); the error table
// keeps one name per number.
var winsockAliases = map[string]Errno{
	"WSA_IO_PENDING":        WSA_IO_PENDING,
	"WSA_IO_INCOMPLETE":     WSA_IO_INCOMPLETE,
	"WSA_OPERATION_ABORTED": WSA_OPERATION_ABORTED,
	"WSA_INVALID_HANDLE":    WSA_INVALID_HANDLE,
	"WSA_INVALID_PARAMETER": WSA_INVALID_PARAMETER,
}

// Aliases returns the Winsock names of the code besides Name, such as
// "WSA_OPERATION_ABORTED" for ERROR_OPERATION_ABORTED, in name order.
func (e Errno) Aliases() []string {
	var out []string
	for name, a := range winsockAliases {
		if a == e {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// lookupErrnoName finds a code by its name or alias, case-insensitively;
// NO_ERROR is ERROR_SUCCESS.
func lookupErrnoName(s string) (Errno, bool) {
	up := strings.ToUpper(s)
	if e, ok := winsockAliases[up]; ok {
		return e, true
	}
	if up == "NO_ERROR" {
		return ERROR_SUCCESS, true
	}
	for e, info := range errorTable {
		if info.name == up {
			return e, true
		}
	}
	return 0, false
}

// NTStatuses returns every NTSTATUS a request of this API can finish with
// (those String names), in ascending order.
func NTStatuses() []NTStatus { return slices.Sorted(maps.Keys(statusTable)) }

// AFName returns "AF_INET", "AF_INET6", or "AF_<n>" for another family.
func AFName(af int) string {
	switch af {
	case AF_INET:
		return "AF_INET"
	case AF_INET6:
		return "AF_INET6"
	}
	return fmt.Sprintf("AF_%d", af)
}

// OptionName names a SOL_SOCKET option of setsockopt: "SO_REUSEADDR",
// or the number for one this package does not define.
func OptionName(opt int) string {
	switch opt {
	case SO_REUSEADDR:
		return "SO_REUSEADDR"
	case SO_EXCLUSIVEADDRUSE:
		return "SO_EXCLUSIVEADDRUSE"
	case SO_UPDATE_ACCEPT_CONTEXT:
		return "SO_UPDATE_ACCEPT_CONTEXT"
	case SO_UPDATE_CONNECT_CONTEXT:
		return "SO_UPDATE_CONNECT_CONTEXT"
	}
	return fmt.Sprintf("option %#x", opt)
}

// extensionGUIDs are the extension functions' identifiers by name.
var extensionGUIDs = []struct {
	name string
	id   GUID
}{
	{"WSAID_DISCONNECTEX", WSAID_DISCONNECTEX},
	{"WSAID_CONNECTEX", WSAID_CONNECTEX},
	{"WSAID_ACCEPTEX", WSAID_ACCEPTEX},
	{"WSAID_GETACCEPTEXSOCKADDRS", WSAID_GETACCEPTEXSOCKADDRS},
	{"WSAID_TRANSMITFILE", WSAID_TRANSMITFILE},
}

// Name returns the identifier's mswsock.h name ("WSAID_DISCONNECTEX"), or
// its registry form for any other GUID.
func (g GUID) Name() string {
	for _, x := range extensionGUIDs {
		if x.id == g {
			return x.name
		}
	}
	return g.String()
}

// ParseGUID returns the extension function identifier a name gives:
// "WSAID_DISCONNECTEX", case-insensitive, the WSAID_ prefix optional
// ("disconnectex").
func ParseGUID(s string) (GUID, error) {
	up := strings.ToUpper(s)
	for _, x := range extensionGUIDs {
		if x.name == up || strings.TrimPrefix(x.name, "WSAID_") == up {
			return x.id, nil
		}
	}
	return GUID{}, fmt.Errorf("spec: %q is not an extension function this project knows (try WSAID_DISCONNECTEX)", s)
}

// bitName names one flag bit (or an alias of one).
type bitName struct {
	name string
	v    uint32
}

// flagNames are DisconnectEx's flags, in bit order; DE_REUSE_SOCKET is
// parsed as TF_REUSE_SOCKET, the name FlagsName prints.
var flagNames = []bitName{
	{"TF_DISCONNECT", TF_DISCONNECT},
	{"TF_REUSE_SOCKET", TF_REUSE_SOCKET},
	{"TF_WRITE_BEHIND", TF_WRITE_BEHIND},
	{"DE_REUSE_SOCKET", DE_REUSE_SOCKET},
}

// completionModeNames are SetFileCompletionNotificationModes' flags, in
// bit order, then the short forms the disconnectex scripts use, which are
// parsed but never printed.
var completionModeNames = []bitName{
	{"FILE_SKIP_COMPLETION_PORT_ON_SUCCESS", uint32(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)},
	{"FILE_SKIP_SET_EVENT_ON_HANDLE", uint32(FILE_SKIP_SET_EVENT_ON_HANDLE)},
	{"skip-port-on-success", uint32(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)},
	{"skip-event-on-handle", uint32(FILE_SKIP_SET_EVENT_ON_HANDLE)},
}

// formatBits returns "0", or the names of f's bits joined with "|", with
// any bit without a name in hexadecimal. The first name of a bit wins.
func formatBits(names []bitName, f uint32) string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for _, x := range names {
		if f&x.v != 0 {
			parts = append(parts, x.name)
			f &^= x.v
		}
	}
	if f != 0 {
		parts = append(parts, fmt.Sprintf("%#x", f))
	}
	return strings.Join(parts, "|")
}

// parseBits reads what formatBits prints: names (case-sensitive, aliases
// too) and numbers (decimal or 0x-prefixed) joined with "|"; want lists
// the choices for the error.
func parseBits(names []bitName, s, what, want string) (uint32, error) {
	var v uint32
	for _, part := range strings.Split(s, "|") {
		if i := slices.IndexFunc(names, func(x bitName) bool { return x.name == part }); i >= 0 {
			v |= names[i].v
			continue
		}
		n, err := strconv.ParseUint(part, 0, 32)
		if err != nil {
			return 0, fmt.Errorf("spec: bad %s %q (want %s)", what, part, want)
		}
		v |= uint32(n)
	}
	return v, nil
}

// FlagsName returns "0", or the flags' names joined with "|", with any bit
// without a name in hexadecimal: "TF_DISCONNECT|TF_REUSE_SOCKET", "0x10".
func FlagsName(f uint32) string { return formatBits(flagNames, f) }

// ParseFlags reads flags as FlagsName prints them: names (case-sensitive,
// DE_REUSE_SOCKET too) and numbers (decimal or 0x-prefixed) joined with "|".
func ParseFlags(s string) (uint32, error) {
	return parseBits(flagNames, s, "flag", "TF_DISCONNECT, TF_REUSE_SOCKET, TF_WRITE_BEHIND or a number")
}

// CompletionModesName returns "0", or the names of the
// SetFileCompletionNotificationModes flags in m joined with "|", with any
// bit without a name in hexadecimal: "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS".
func CompletionModesName(m uint8) string { return formatBits(completionModeNames, uint32(m)) }

// ParseCompletionModes reads completion modes as CompletionModesName
// prints them, or in the short forms skip-port-on-success and
// skip-event-on-handle, or as numbers, joined with "|". A value that does
// not fit the call's byte is an error.
func ParseCompletionModes(s string) (uint8, error) {
	v, err := parseBits(completionModeNames, s, "completion mode",
		"FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE, skip-port-on-success, skip-event-on-handle or a number")
	if err != nil {
		return 0, err
	}
	if v > 0xff {
		return 0, fmt.Errorf("spec: completion modes %d do not fit in a byte", v)
	}
	return uint8(v), nil
}

// CompletionModeShortNames returns the short forms ParseCompletionModes
// takes for the two modes, in bit order.
func CompletionModeShortNames() []string {
	var out []string
	for _, x := range completionModeNames[2:] {
		out = append(out, x.name)
	}
	return out
}

// FormatDuration prints a duration as traces, reports and scripts show
// virtual time: whole seconds as "240s", anything else as
// time.Duration.String does.
func FormatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
