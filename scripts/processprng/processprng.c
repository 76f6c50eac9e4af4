/*
 * bcryptprimitives.dll stand-in for Wine 8.0.
 *
 * Go 1.22 and later seed their random number generator with ProcessPrng
 * from bcryptprimitives.dll, loaded from system32 at start. Wine 8.0 ships
 * no such export, so a Go program aborts before main. This DLL exports
 * ProcessPrng and fills the buffer with advapi32's SystemFunction036
 * (RtlGenRandom), which Wine implements. scripts/wine-test builds it with
 * x86_64-w64-mingw32-gcc and installs it into the private Wine prefix only.
 */
#include <windows.h>

typedef BOOLEAN (WINAPI *rtlgenrandom_fn)(PVOID, ULONG);

static rtlgenrandom_fn rtlgenrandom;

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (advapi == NULL)
            return FALSE;
        rtlgenrandom = (rtlgenrandom_fn)(void *)GetProcAddress(advapi, "SystemFunction036");
        if (rtlgenrandom == NULL)
            return FALSE;
    }
    return TRUE;
}

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: feed large requests in pieces. */
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!rtlgenrandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
