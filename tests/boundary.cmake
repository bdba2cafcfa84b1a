# boundary.cmake: the test that the CLI cannot include the engine's internals
# (docs/design.md, "Layers"). Builds cli_boundary_probes (tests/CMakeLists.txt:
# one file per header of HEADERS, compiled with the CLI's include path and
# libraries) and passes only when every probe failed to compile because its
# header is out of reach: srv_int.h, the service's internal header, is found
# beside srv.h but cannot reach core's ds_core.h.
#   cmake -DBUILD=DIR -DGENERATOR=NAME -DHEADERS="h1;h2" -P boundary.cmake
if(GENERATOR MATCHES "Ninja")
  set(keep_going -k 0)
else()
  set(keep_going -k)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target cli_boundary_probes --
                        ${keep_going}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(said "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the probes compiled: a CLI source can include the engine's internals")
endif()
set(failed 0)
foreach(header ${HEADERS})
  set(missing ${header})
  if(header STREQUAL "srv_int.h")
    set(missing ds_core.h)
  endif()
  string(REPLACE "." "\\." re ${missing})
  # gcc: "fatal error: ds_core.h: No such file or directory"; clang: "'ds_core.h' file not found"
  set(re "(${re}: No such file or directory|'${re}' file not found)")
  if(header STREQUAL "srv_int.h")
    set(re "srv_int\\.h:[0-9]+:[0-9]+: fatal error: ${re}")
  endif()
  if(NOT said MATCHES "${re}")
    message(SEND_ERROR "a CLI source including ${header} did not fail on ${missing}")
    set(failed 1)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "the build said:\n${said}")
endif()
message(STATUS "every internal header is out of the CLI's reach: ${HEADERS}")
