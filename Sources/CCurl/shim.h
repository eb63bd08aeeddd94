#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

/*
 * Typed wrappers for libcurl's variadic option/info functions, which Swift cannot import.
 * One wrapper per argument type; the option constant decides which one a caller must use
 * (see the CURLOPTTYPE_* of each option in curl.h).
 */

/* ---- global ---- */

static inline CURLcode ccurl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}

/* ---- easy: setopt ---- */

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_share(CURL *handle, CURLoption option, CURLSH *value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this signature. */
static inline CURLcode ccurl_easy_setopt_write_callback(CURL *handle, CURLoption option,
                                                        curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_read_callback(CURL *handle, CURLoption option,
                                                       curl_read_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/* ---- easy: getinfo ---- */

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/* ---- multi ---- */

static inline CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLMcode ccurl_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value) {
    return curl_multi_setopt(handle, option, value);
}

/* The result of a CURLMSG_DONE message (a union member, awkward from Swift). */
static inline CURLcode ccurl_msg_result(const CURLMsg *msg) {
    return msg->data.result;
}

/* ---- share ---- */

/* CURLSHOPT_SHARE / CURLSHOPT_UNSHARE: libcurl reads the argument as an int. */
static inline CURLSHcode ccurl_share_setopt_lock_data(CURLSH *handle, CURLSHoption option, curl_lock_data value) {
    return curl_share_setopt(handle, option, (int)value);
}

static inline CURLSHcode ccurl_share_setopt_pointer(CURLSH *handle, CURLSHoption option, void *value) {
    return curl_share_setopt(handle, option, value);
}

static inline CURLSHcode ccurl_share_setopt_lock_function(CURLSH *handle, curl_lock_function value) {
    return curl_share_setopt(handle, CURLSHOPT_LOCKFUNC, value);
}

static inline CURLSHcode ccurl_share_setopt_unlock_function(CURLSH *handle, curl_unlock_function value) {
    return curl_share_setopt(handle, CURLSHOPT_UNLOCKFUNC, value);
}

/* ---- threads (not libcurl): names the calling thread, for debuggers and `top -H` ---- */

#if defined(__linux__)
#include <sys/prctl.h>
static inline void ccurl_set_current_thread_name(const char *name) {
    (void)prctl(PR_SET_NAME, name, 0, 0, 0);  /* truncated to 15 bytes */
}
#elif defined(__APPLE__)
#include <pthread.h>
static inline void ccurl_set_current_thread_name(const char *name) {
    (void)pthread_setname_np(name);
}
#endif

#endif
