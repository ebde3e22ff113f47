# find_package(wasock-socket): imports the static library target `socket_wasi_ext`
# (include directory <prefix>/include, where wasi_socket_ext.h lives).
if(NOT TARGET socket_wasi_ext)
    include("${CMAKE_CURRENT_LIST_DIR}/wasock-socket-targets.cmake")
endif()
set(wasock-socket_FOUND TRUE)
