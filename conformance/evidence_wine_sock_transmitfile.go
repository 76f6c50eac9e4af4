package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of sock.c's test_TransmitFile (Gcenx/winecx,
// crossover-wine-23.0.1; see evidence_wine_sock.go for the pin). This
// version of the test uses TF_REUSE_SOCKET once (an unconnected socket)
// and TF_DISCONNECT never; everything but the pointer lookup needs
// TransmitFile itself.

const whyTransmitFileSetup = "setup of the TransmitFile checks that follow (bind to a fixed port, listen, connect, accept, FIONBIO); " + whyTransmitFile

var wineSockTransmitFile = []expectation{
	{Func: "test_TransmitFile", Line: 9455, End: 9457, Kind: kindOK, Checks: "setup: two socket(AF_INET, SOCK_STREAM, 0) sockets are created", Case: "wine-transmitfile/lookup"},
	{Func: "test_TransmitFile", Line: 9460, Kind: kindOK, Checks: "WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_TRANSMITFILE) on the unconnected client succeeds (the case also checks the byte count, as test_get_extension_func does for WSAID_ACCEPTEX)", Case: "wine-transmitfile/lookup"},
	{Func: "test_TransmitFile", Line: 9464, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "setup: system.ini is opened for the file to send", Why: whyFilesystem},
	{Func: "test_TransmitFile", Line: 9470, End: 9471, Kind: kindOK, Clause: spec.ClauseGapBadHandle, Checks: "TransmitFile(INVALID_SOCKET, file, ...) fails WSAENOTSOCK", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9476, End: 9477, Kind: kindOK, Clause: spec.ClauseErrInvalFlags, Checks: "TransmitFile(unconnected TCP socket, no file, no buffers, TF_REUSE_SOCKET alone) fails WSAENOTCONN, not WSAEINVAL for the flag without TF_DISCONNECT (DisconnectEx's own unconnected case is wine-disconnectex/errors-before-connect)", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9485, End: 9494, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "setup: the server is bound to 127.0.0.1:SERVERPORT+1 and listens, the client connects, the accepted end is made non-blocking", Why: whyTransmitFileSetup},
	{Func: "test_TransmitFile", Line: 9498, End: 9500, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "TransmitFile with no file and no buffers succeeds and sends nothing (the peer's non-blocking recv fails)", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9508, End: 9514, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "TransmitFile with head and tail buffers only sends both, in order", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9519, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "TransmitFile with the file only succeeds (compare_file checks the bytes)", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9529, End: 9535, Kind: kindOK, Clause: spec.ClauseExtension, Checks: "TransmitFile with file and buffers sends head, file, tail", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9543, End: 9549, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "an overlapped TransmitFile of the file pends (ERROR_IO_PENDING), its event is signalled within 2 s, and WSAGetOverlappedResult gives the file's size", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9560, End: 9565, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "with OVERLAPPED.Offset 10 it pends and sends the file from offset 10", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9580, End: 9593, Kind: kindOK, Clause: spec.ClauseRetPending, Checks: "an overlapped TransmitFile with file and buffers pends and sends head, file and tail", Why: whyTransmitFile},
	{Func: "test_TransmitFile", Line: 9601, End: 9602, Kind: kindOK, Clause: spec.ClauseRemDatagram, Checks: "TransmitFile on an unconnected UDP socket fails WSAENOTCONN", Why: whyTransmitFile},
}
