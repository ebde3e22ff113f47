# find_package(wamr-wasi-socket): WAMR's package name (wamr-wasi-extensions) for the same
# library, so projects written for WAMR build unchanged against wasock's SDK. Provides the
# target `wamr-wasi-socket` (WAMR's name) on top of `socket_wasi_ext`.
if(NOT TARGET socket_wasi_ext)
    include("${CMAKE_CURRENT_LIST_DIR}/../wasock-socket/wasock-socket-targets.cmake")
endif()
if(NOT TARGET wamr-wasi-socket)
    add_library(wamr-wasi-socket INTERFACE IMPORTED)
    set_target_properties(wamr-wasi-socket PROPERTIES INTERFACE_LINK_LIBRARIES socket_wasi_ext)
endif()
set(wamr-wasi-socket_FOUND TRUE)
