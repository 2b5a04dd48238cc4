# Project-local autoconf macros for ticketd.

# TICKETD_CHECK_FCGI: libfcgi ships a fcgi.pc on Debian but not on every
# distribution; fall back to a plain header and library search.
AC_DEFUN([TICKETD_CHECK_FCGI], [
  PKG_CHECK_MODULES([FCGI], [fcgi], [], [
    AC_CHECK_HEADER([fcgiapp.h], [],
      [AC_MSG_ERROR([fcgiapp.h not found: install libfcgi-dev])])
    AC_CHECK_LIB([fcgi], [FCGX_Accept_r], [FCGI_LIBS=-lfcgi],
      [AC_MSG_ERROR([libfcgi not found: install libfcgi-dev])])
    AC_SUBST([FCGI_LIBS])
  ])
])

# TICKETD_WARNINGS: warnings are errors in every build of ours.
AC_DEFUN([TICKETD_WARNINGS], [
  TICKETD_CFLAGS="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter"
  AC_SUBST([TICKETD_CFLAGS])
])

# TICKETD_SANITIZERS: --enable-sanitizers builds everything with
# AddressSanitizer and UndefinedBehaviorSanitizer (the test build).
AC_DEFUN([TICKETD_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with ASan and UBSan (test builds)])],
    [], [enable_sanitizers=no])
  AS_IF([test "x$enable_sanitizers" = xyes], [
    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    TICKETD_CFLAGS="$TICKETD_CFLAGS $SAN -g -O1"
    TICKETD_LDFLAGS="$SAN"
  ])
  AC_SUBST([TICKETD_LDFLAGS])
])
