/*
 * pam_rdsiam: the test bed's stand-in for RDS's IAM login check.
 *
 * It takes the login user and the password (an IAM auth token, ~1000 bytes with a session token)
 * and asks the long-running verifier daemon over a unix socket. pam_exec's expose_authtok cannot
 * carry a token: it copies the password with strndupa(resp, PAM_MAX_RESP_SIZE), 512 bytes, and the
 * signature comes last (see docs/testbed.md). Only an explicit "OK\n" answer lets the login in;
 * anything else, including a verifier that is down, refuses it.
 *
 * Module arguments: socket=<absolute path of the verifier socket> service=<name sent to the verifier>
 * Wire format: "<service>\0<user>\0<token>\0", then the module shuts down its write side and reads
 * one line: "OK\n" or "NO <reason>\n".
 *
 * It declares the few PAM symbols it uses itself instead of including <security/pam_modules.h>, so a
 * machine needs only a C compiler, not libpam0g-dev. These are Linux-PAM's stable ABI (unchanged
 * since 0.99; constants from _pam_types.h), and the module links against libpam.so.0, which every
 * Debian and Ubuntu system has.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct pam_handle pam_handle_t;
struct pam_message {
  int msg_style;
  const char *msg;
};
struct pam_response {
  char *resp;
  int resp_retcode;
};
struct pam_conv {
  int (*conv)(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata_ptr);
  void *appdata_ptr;
};
#define PAM_SUCCESS 0
#define PAM_SERVICE_ERR 3
#define PAM_AUTH_ERR 7
#define PAM_USER_UNKNOWN 10
#define PAM_CONV 5
#define PAM_AUTHTOK 6
#define PAM_PROMPT_ECHO_OFF 1
#define PAM_EXTERN __attribute__((visibility("default")))
extern int pam_get_item(const pam_handle_t *pamh, int item_type, const void **item);
extern int pam_get_user(pam_handle_t *pamh, const char **user, const char *prompt);

/* A login never waits longer than this for the verifier (it answers in milliseconds). */
#define VERIFIER_TIMEOUT_SECONDS 15
/* Tokens are ~1-2 KB; anything much larger is not a token and is not forwarded. */
#define MAX_TOKEN_BYTES 16384

static const char *arg_value(int argc, const char **argv, const char *name) {
  size_t len = strlen(name);
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') return argv[i] + len + 1;
  }
  return NULL;
}

/* Asks the application for the password ourselves: pam_get_authtok may apply length limits. */
static char *ask_password(pam_handle_t *pamh) {
  const void *item = NULL;
  if (pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) return strdup(item);

  const struct pam_conv *conv = NULL;
  if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS || conv == NULL || conv->conv == NULL)
    return NULL;
  struct pam_message msg = {.msg_style = PAM_PROMPT_ECHO_OFF, .msg = "Password: "};
  const struct pam_message *msgs[1] = {&msg};
  struct pam_response *resp = NULL;
  if (conv->conv(1, msgs, &resp, conv->appdata_ptr) != PAM_SUCCESS || resp == NULL) return NULL;
  char *password = resp[0].resp;
  free(resp);
  return password;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Returns 1 only when the verifier explicitly answered OK. */
static int ask_verifier(const char *socket_path, const char *service, const char *user, const char *token) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof(addr.sun_path)) return 0;
  strcpy(addr.sun_path, socket_path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  struct timeval tv = {.tv_sec = VERIFIER_TIMEOUT_SECONDS};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  int ok = 0;
  char answer[256];
  size_t got = 0;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) goto done;
  if (write_all(fd, service, strlen(service) + 1) || write_all(fd, user, strlen(user) + 1) ||
      write_all(fd, token, strlen(token) + 1))
    goto done;
  shutdown(fd, SHUT_WR);
  while (got < sizeof answer - 1) {
    ssize_t n = read(fd, answer + got, sizeof answer - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  answer[got] = '\0';
  ok = strcmp(answer, "OK\n") == 0;
done:
  close(fd);
  return ok;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
  (void)flags;
  const char *socket_path = arg_value(argc, argv, "socket");
  const char *service = arg_value(argc, argv, "service");
  if (socket_path == NULL || service == NULL) return PAM_SERVICE_ERR;

  const char *user = NULL;
  if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL || *user == '\0') return PAM_USER_UNKNOWN;

  char *token = ask_password(pamh);
  if (token == NULL) return PAM_AUTH_ERR;
  int ok = strlen(token) > 0 && strlen(token) <= MAX_TOKEN_BYTES && ask_verifier(socket_path, service, user, token);
  explicit_bzero(token, strlen(token));
  free(token);
  return ok ? PAM_SUCCESS : PAM_AUTH_ERR;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
  (void)pamh;
  (void)flags;
  (void)argc;
  (void)argv;
  return PAM_SUCCESS;
}
