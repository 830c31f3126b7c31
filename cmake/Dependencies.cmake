# Every dependency comes from a Debian package (see scripts/deps); nothing is downloaded here.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json url system)
find_package(OpenSSL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
if(SECKILL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SECKILL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Asio and Beast are compiled once, in this library, instead of in every translation unit that
# includes them: it roughly halves the build time of each part.
add_library(seckill_asio STATIC ${PROJECT_SOURCE_DIR}/cmake/asio_beast_impl.cpp)
target_compile_definitions(seckill_asio PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(seckill_asio PUBLIC Boost::headers Boost::system Boost::json Boost::url
  OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
