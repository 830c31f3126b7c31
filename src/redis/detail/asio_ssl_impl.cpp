// The compiled part of Asio's SSL support (BOOST_ASIO_SEPARATE_COMPILATION:
// cmake/asio_beast_impl.cpp holds the rest). Only the Redis client uses TLS; if another part needs
// it, move this line there.
#include <boost/asio/ssl/impl/src.hpp>
