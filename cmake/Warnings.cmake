# seckill_set_warnings(target): the warning set every target of ours builds with.
function(seckill_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 under -fsanitize reports a false new/delete mismatch on coroutine frames.
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(SECKILL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
# Not -Wnull-dereference: at -O3 it reports false positives inside Asio's inlined executors.
