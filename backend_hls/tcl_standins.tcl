# Stand-ins for the Vivado / Vitis HLS commands qnn's scripts use, for a dry run under
# plain tclsh:
#
#     tclsh tcl_standins.tcl vivado|vitis SCRIPT RECORD
#
# runs SCRIPT (`info script` is SCRIPT, as under the real tool) with every tool command
# replaced by a proc that checks its arguments and the order of calls the way the tool
# would (a project before a block design, cells before their pins, csynth before
# export, ...), and appends what it was asked to RECORD: one JSON array of strings per
# line, e.g. ["create_bd_cell","ip","qnn:hls:MVAU_0:1.0","MVAU_0"]. Objects the tool
# would return (cells, pins, ports, the project, the IP core) are opaque handles that
# only these procs accept, so a script passing a bare name where Vivado needs an object
# fails. Any command that is neither Tcl nor a stand-in of the chosen tool is an error
# (the `unknown` proc), as is every misuse below: the exit status is then 1 and the
# error is on stderr. `backend_hls.tcl_check` runs this and reads the record.

namespace eval ::qnn {
    variable tool [lindex $::argv 0]
    variable script [lindex $::argv 1]
    variable out [open [lindex $::argv 2] w]
    fconfigure $out -encoding ascii -translation lf
    variable objects   ;# handle -> {kind name}
    array set objects {}
    variable next 0
    variable state     ;# what has been opened / created so far
    array set state {}
    variable cells     ;# cell name -> vlnv
    array set cells {}
    variable ports     ;# port name -> kind (port | intf_port)
    array set ports {}
    variable used_intf ;# interface pin/port -> 1 once connected
    array set used_intf {}
    variable modules   ;# RTL module name -> the added file declaring it
    array set modules {}
}

# Known pins of the Xilinx IPs the scripts instantiate (others: any pin, recorded).
set ::qnn::known_pins(xilinx.com:ip:axis_data_fifo:2.0) {
    intf {S_AXIS M_AXIS} pin {s_axis_aclk s_axis_aresetn}
}
set ::qnn::known_pins(xilinx.com:ip:processing_system7:5.5) {
    intf {M_AXI_GP0 S_AXI_HP0 DDR FIXED_IO}
    pin {FCLK_CLK0 FCLK_RESET0_N M_AXI_GP0_ACLK S_AXI_HP0_ACLK}
    space {Data} segment {S_AXI_HP0/HP0_DDR_LOWOCM}
}
set ::qnn::known_pins(xilinx.com:ip:zynq_ultra_ps_e:3.5) {
    intf {M_AXI_HPM0_FPD S_AXI_HP0_FPD}
    pin {pl_clk0 pl_resetn0 maxihpm0_fpd_aclk saxihp0_fpd_aclk}
    space {Data} segment {SAXIGP2/HP0_DDR_LOW}
}
set ::qnn::known_pins(xilinx.com:ip:proc_sys_reset:5.0) {
    intf {} pin {slowest_sync_clk ext_reset_in peripheral_aresetn interconnect_aresetn}
}
set ::qnn::known_pins(xilinx.com:ip:smartconnect:1.0) {
    intf {S00_AXI S01_AXI S02_AXI S03_AXI M00_AXI M01_AXI M02_AXI M03_AXI} pin {aclk aresetn}
}

proc ::qnn::json {s} {
    set out "\""
    foreach c [split $s ""] {
        scan $c %c code
        if {$code == 34} {
            append out "\\\""
        } elseif {$code == 92} {
            append out "\\\\"
        } elseif {$code > 0xFFFF} {
            set code [expr {$code - 0x10000}]
            append out [format "\\u%04x\\u%04x" \
                [expr {0xD800 + ($code >> 10)}] [expr {0xDC00 + ($code & 0x3FF)}]]
        } elseif {$code < 32 || $code > 126} {
            append out [format "\\u%04x" $code]
        } else {
            append out $c
        }
    }
    return "$out\""
}

proc ::qnn::record {args} {
    set items {}
    foreach a $args { lappend items [::qnn::json $a] }
    puts $::qnn::out "\[[join $items ,]\]"
    flush $::qnn::out
}

proc ::qnn::fail {message} {
    return -code error -level 2 "stand-in [lindex [info level -1] 0]: $message"
}

proc ::qnn::require {key message} {
    if {![info exists ::qnn::state($key)]} {
        return -code error -level 2 "stand-in [lindex [info level -1] 0]: $message"
    }
}

proc ::qnn::handle {kind name} {
    incr ::qnn::next
    set h "<$kind#$::qnn::next>"
    set ::qnn::objects($h) [list $kind $name]
    return $h
}

# The {kind name} of every object in `handles` (a list); each must be of one of `kinds`.
proc ::qnn::resolve {handles kinds} {
    set result {}
    if {[llength $handles] == 0} {
        return -code error -level 2 "stand-in [lindex [info level -1] 0]: no object given"
    }
    foreach h $handles {
        if {![info exists ::qnn::objects($h)]} {
            return -code error -level 2 \
                "stand-in [lindex [info level -1] 0]: \"$h\" is not an object (use get_* / current_*)"
        }
        set obj $::qnn::objects($h)
        if {[lsearch -exact $kinds [lindex $obj 0]] < 0} {
            return -code error -level 2 \
                "stand-in [lindex [info level -1] 0]: expected [join $kinds {/}], got [lindex $obj 0] [lindex $obj 1]"
        }
        lappend result $obj
    }
    return $result
}

# Parse `words` against `spec` (flag -> 0 for a switch, 1 for a flag with a value).
# Returns a dict of the flags given plus "" -> the positional words.
proc ::qnn::options {words spec} {
    set result [dict create]
    set positional {}
    for {set i 0} {$i < [llength $words]} {incr i} {
        set w [lindex $words $i]
        if {[string index $w 0] eq "-" && [dict exists $spec $w]} {
            if {[dict get $spec $w]} {
                incr i
                if {$i >= [llength $words]} {
                    return -code error -level 2 "stand-in [lindex [info level -1] 0]: $w needs a value"
                }
                dict set result $w [lindex $words $i]
            } else {
                dict set result $w 1
            }
        } elseif {[string index $w 0] eq "-" && ![string is double -strict $w]} {
            return -code error -level 2 "stand-in [lindex [info level -1] 0]: unknown option $w"
        } else {
            lappend positional $w
        }
    }
    dict set result "" $positional
    return $result
}

proc ::qnn::positional {opts count} {
    set pos [dict get $opts ""]
    if {[llength $pos] != $count} {
        return -code error -level 2 \
            "stand-in [lindex [info level -1] 0]: expected $count positional argument(s), got [llength $pos]: $pos"
    }
    return $pos
}

proc unknown {args} {
    error "stand-in: unknown command \"[lindex $args 0]\" (not a $::qnn::tool command qnn knows)"
}

rename exit ::qnn::real_exit
proc exit {{code 0}} {
    ::qnn::record exit $code
    close $::qnn::out
    ::qnn::real_exit $code
}

# ----------------------------------------------------------------------------- Vitis HLS

proc ::qnn::define_vitis {} {
    proc ::open_project {args} {
        set o [::qnn::options $args {-reset 0}]
        lassign [::qnn::positional $o 1] name
        set ::qnn::state(project) [file normalize $name]
        array unset ::qnn::state solution
        array unset ::qnn::state top
        ::qnn::record open_project $name $::qnn::state(project)
    }
    proc ::set_top {args} {
        ::qnn::require project "set_top before open_project"
        lassign [::qnn::positional [::qnn::options $args {}] 1] top
        set ::qnn::state(top) $top
        ::qnn::record set_top $top
    }
    proc ::add_files {args} {
        ::qnn::require project "add_files before open_project"
        set o [::qnn::options $args {-tb 0 -cflags 1 -csimflags 1 -blackbox 1}]
        set cflags [expr {[dict exists $o -cflags] ? [dict get $o -cflags] : ""}]
        foreach f [dict get $o ""] {
            ::qnn::record add_files [file normalize $f] $cflags [dict exists $o -tb]
        }
    }
    proc ::open_solution {args} {
        ::qnn::require project "open_solution before open_project"
        set o [::qnn::options $args {-reset 0 -flow_target 1}]
        lassign [::qnn::positional $o 1] name
        set ::qnn::state(solution) $name
        set flow [expr {[dict exists $o -flow_target] ? [dict get $o -flow_target] : "vivado"}]
        if {$flow ni {vivado vitis}} { ::qnn::fail "unknown -flow_target $flow" }
        ::qnn::record open_solution $name $flow
    }
    proc ::set_part {args} {
        ::qnn::require solution "set_part before open_solution"
        lassign [::qnn::positional [::qnn::options $args {-tool 1}] 1] part
        set ::qnn::state(part) $part
        ::qnn::record set_part $part
    }
    proc ::create_clock {args} {
        ::qnn::require solution "create_clock before open_solution"
        set o [::qnn::options $args {-period 1 -name 1}]
        ::qnn::positional $o 0
        if {![dict exists $o -period]} { ::qnn::fail "create_clock needs -period" }
        set period [dict get $o -period]
        if {![string is double -strict $period] || $period <= 0} {
            ::qnn::fail "bad clock period $period"
        }
        set ::qnn::state(clock) $period
        ::qnn::record create_clock $period
    }
    proc ::set_param {args} {
        lassign [::qnn::positional [::qnn::options $args {}] 2] name value
        ::qnn::record set_param $name $value
    }
    foreach cmd {config_compile config_rtl config_interface config_export config_schedule} {
        proc ::$cmd {args} [format {
            ::qnn::require solution "%1$s before open_solution"
            ::qnn::record %1$s {*}$args
        } $cmd]
    }
    proc ::csynth_design {args} {
        ::qnn::positional [::qnn::options $args {}] 0
        foreach key {top solution part clock} {
            ::qnn::require $key "csynth_design without $key"
        }
        set ::qnn::state(synthesized) 1
        ::qnn::record csynth_design $::qnn::state(top) $::qnn::state(part) $::qnn::state(clock)
    }
    proc ::export_design {args} {
        ::qnn::require synthesized "export_design before csynth_design"
        set o [::qnn::options $args {
            -format 1 -ipname 1 -vendor 1 -library 1 -version 1 -display_name 1
            -description 1 -taxonomy 1 -rtl 1 -output 1 -flow 1
        }]
        ::qnn::positional $o 0
        set get {{key default} {
            upvar o o
            expr {[dict exists $o $key] ? [dict get $o $key] : $default}
        }}
        set format [apply $get -format ip_catalog]
        set name [apply $get -ipname $::qnn::state(top)]
        set vlnv [join [list [apply $get -vendor xilinx.com] [apply $get -library hls] \
            $name [apply $get -version 1.0]] :]
        set ipdir [file join $::qnn::state(project) $::qnn::state(solution) impl ip]
        ::qnn::record export_design $format $vlnv $ipdir \
            [apply $get -display_name ""] [apply $get -description ""]
    }
    proc ::close_project {args} { ::qnn::record close_project }
}

# ----------------------------------------------------------------------------- Vivado

proc ::qnn::define_vivado {} {
    proc ::create_project {args} {
        set o [::qnn::options $args {-force 0 -part 1 -in_memory 0 -ip 0}]
        set pos [dict get $o ""]
        if {[llength $pos] < 1 || [llength $pos] > 2} { ::qnn::fail "create_project NAME ?DIR?" }
        lassign $pos name dir
        set part [expr {[dict exists $o -part] ? [dict get $o -part] : ""}]
        set ::qnn::state(project) $name
        ::qnn::record create_project $name [file normalize $dir] $part
    }
    proc ::current_project {args} {
        ::qnn::require project "no open project"
        return [::qnn::handle project $::qnn::state(project)]
    }
    proc ::current_fileset {args} {
        ::qnn::require project "no open project"
        return [::qnn::handle fileset sources_1]
    }
    proc ::update_ip_catalog {args} {
        ::qnn::require project "update_ip_catalog before create_project"
        ::qnn::options $args {-rebuild 0 -quiet 0}
        set ::qnn::state(catalog) 1
        ::qnn::record update_ip_catalog
    }
    proc ::update_compile_order {args} {
        ::qnn::require project "update_compile_order before create_project"
        ::qnn::options $args {-fileset 1 -quiet 0}
        ::qnn::record update_compile_order
    }
    proc ::create_bd_design {args} {
        ::qnn::require project "create_bd_design before create_project"
        lassign [::qnn::positional [::qnn::options $args {}] 1] name
        set ::qnn::state(bd) $name
        ::qnn::record create_bd_design $name
    }
    proc ::create_bd_cell {args} {
        ::qnn::require bd "create_bd_cell before create_bd_design"
        set o [::qnn::options $args {-type 1 -vlnv 1 -reference 1}]
        lassign [::qnn::positional $o 1] name
        if {[info exists ::qnn::cells($name)]} { ::qnn::fail "cell $name exists" }
        set type [dict get $o -type]
        if {$type eq "module"} {
            if {![dict exists $o -reference]} { ::qnn::fail "-type module needs -reference" }
            set module [dict get $o -reference]
            if {![info exists ::qnn::modules($module)]} {
                ::qnn::fail "module $module is in no file added to the project"
            }
            set ::qnn::cells($name) "module:$module"
            ::qnn::record create_bd_cell module $module $name
            return [::qnn::handle cell $name]
        }
        if {$type ne "ip"} { ::qnn::fail "only -type ip or module cells are expected, got $type" }
        if {![dict exists $o -vlnv]} { ::qnn::fail "-type ip needs -vlnv" }
        set vlnv [dict get $o -vlnv]
        if {[llength [split $vlnv :]] != 4} { ::qnn::fail "malformed VLNV $vlnv" }
        ::qnn::require catalog "create_bd_cell before update_ip_catalog"
        set ::qnn::cells($name) $vlnv
        ::qnn::record create_bd_cell $type $vlnv $name
        return [::qnn::handle cell $name]
    }
    # Vivado's add_files: each file recorded; the modules a SystemVerilog file declares
    # become known to `create_bd_cell -type module` (read when the file exists).
    proc ::add_files {args} {
        ::qnn::require project "add_files before create_project"
        set o [::qnn::options $args {-norecurse 0 -fileset 1 -quiet 0}]
        foreach f [concat {*}[dict get $o ""]] {
            set path [file normalize $f]
            if {[file extension $path] in {.sv .v} && [file isfile $path]} {
                set channel [open $path]
                foreach {- module} [regexp -all -inline -line {^\s*module\s+(\w+)} [read $channel]] {
                    set ::qnn::modules($module) $path
                }
                close $channel
            }
            ::qnn::record add_files $path
        }
    }
    proc ::apply_bd_automation {args} {
        set o [::qnn::options $args {-rule 1 -config 1}]
        lassign [lindex [::qnn::resolve [::qnn::positional $o 1] cell] 0] kind cell
        foreach key {-rule -config} {
            if {![dict exists $o $key]} { ::qnn::fail "missing $key" }
        }
        set config [dict get $o -config]
        if {[llength $config] % 2} { ::qnn::fail "odd -config list" }
        ::qnn::record apply_bd_automation $cell [dict get $o -rule] {*}$config
    }
    # Address spaces (CELL/SPACE) and segments (CELL/INTERFACE/SEGMENT...): the cell must
    # exist; a known Xilinx IP's must be one it has.
    proc ::qnn::addressable {path kind} {
        set cell [lindex [split $path /] 0]
        set rest [join [lrange [split $path /] 1 end] /]
        if {![info exists ::qnn::cells($cell)] || $rest eq ""} {
            return -code error -level 2 "stand-in [lindex [info level -1] 0]: no $kind $path"
        }
        set vlnv $::qnn::cells($cell)
        if {[info exists ::qnn::known_pins($vlnv)] && [dict exists $::qnn::known_pins($vlnv) $kind]} {
            if {$rest ni [dict get $::qnn::known_pins($vlnv) $kind]} {
                return -code error -level 2 "stand-in [lindex [info level -1] 0]: $vlnv has no $kind $rest"
            }
        }
        return [::qnn::handle $kind $path]
    }
    proc ::get_bd_addr_spaces {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] path
        return [::qnn::addressable $path space]
    }
    proc ::get_bd_addr_segs {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] path
        return [::qnn::addressable $path segment]
    }
    proc ::assign_bd_address {args} {
        ::qnn::require bd "assign_bd_address before create_bd_design"
        set o [::qnn::options $args {-offset 1 -range 1 -target_address_space 1}]
        if {![dict exists $o -target_address_space]} { ::qnn::fail "needs -target_address_space" }
        lassign [lindex [::qnn::resolve [dict get $o -target_address_space] space] 0] - space
        set offset [expr {[dict exists $o -offset] ? [dict get $o -offset] : ""}]
        set range [expr {[dict exists $o -range] ? [dict get $o -range] : ""}]
        foreach value [list $offset $range] {
            if {$value ne "" && ![string is wideinteger -strict $value]} { ::qnn::fail "not a number: $value" }
        }
        foreach obj [::qnn::resolve [::qnn::positional $o 1] segment] {
            ::qnn::record assign_bd_address $space [lindex $obj 1] $offset $range
        }
    }
    proc ::get_runs {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] name
        if {$name ni {synth_1 impl_1}} { ::qnn::fail "no run $name" }
        return [::qnn::handle run $name]
    }
    proc ::launch_runs {args} {
        ::qnn::require wrapper "launch_runs before make_wrapper"
        set o [::qnn::options $args {-to_step 1 -jobs 1}]
        lassign [::qnn::positional $o 1] run
        if {$run eq "impl_1" && ![info exists ::qnn::state(done_synth_1)]} {
            ::qnn::fail "impl_1 before synth_1 finished"
        }
        set step [expr {[dict exists $o -to_step] ? [dict get $o -to_step] : ""}]
        set ::qnn::state(launched_$run) 1
        ::qnn::record launch_runs $run $step
    }
    proc ::wait_on_run {args} {
        lassign [::qnn::positional [::qnn::options $args {-timeout 1}] 1] run
        ::qnn::require launched_$run "wait_on_run $run before launch_runs $run"
        set ::qnn::state(done_$run) 1
        ::qnn::record wait_on_run $run
    }
    proc ::get_property {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 2] key objects
        lassign [lindex [::qnn::resolve $objects run] 0] - run
        ::qnn::require done_$run "get_property of $run before wait_on_run"
        switch -- $key {
            PROGRESS { return "100%" }
            DIRECTORY { return "/qnn-standin/runs/$run" }
            default { ::qnn::fail "unexpected run property $key" }
        }
    }
    proc ::get_bd_cells {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] name
        if {![info exists ::qnn::cells($name)]} { ::qnn::fail "no cell $name" }
        return [::qnn::handle cell $name]
    }
    proc ::qnn::pin {path kind} {
        set parts [split $path /]
        if {[llength $parts] != 2} {
            return -code error -level 2 "stand-in [lindex [info level -1] 0]: not a CELL/PIN path: $path"
        }
        lassign $parts cell pin
        if {![info exists ::qnn::cells($cell)]} {
            return -code error -level 2 "stand-in [lindex [info level -1] 0]: no cell $cell (for $path)"
        }
        set vlnv $::qnn::cells($cell)
        if {[info exists ::qnn::known_pins($vlnv)]} {
            if {[lsearch -exact [dict get $::qnn::known_pins($vlnv) $kind] $pin] < 0} {
                return -code error -level 2 \
                    "stand-in [lindex [info level -1] 0]: $vlnv has no $kind pin $pin"
            }
        }
        return [::qnn::handle [expr {$kind eq "intf" ? "intf_pin" : "pin"}] $path]
    }
    proc ::get_bd_pins {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] path
        return [::qnn::pin $path pin]
    }
    proc ::get_bd_intf_pins {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] path
        return [::qnn::pin $path intf]
    }
    proc ::create_bd_port {args} {
        ::qnn::require bd "create_bd_port before create_bd_design"
        set o [::qnn::options $args {-dir 1 -type 1 -freq_hz 1 -from 1 -to 1}]
        lassign [::qnn::positional $o 1] name
        if {[info exists ::qnn::ports($name)]} { ::qnn::fail "port $name exists" }
        set ::qnn::ports($name) port
        set freq [expr {[dict exists $o -freq_hz] ? [dict get $o -freq_hz] : ""}]
        set type [expr {[dict exists $o -type] ? [dict get $o -type] : "data"}]
        ::qnn::record create_bd_port [dict get $o -dir] $type $name $freq
        return [::qnn::handle port $name]
    }
    proc ::create_bd_intf_port {args} {
        ::qnn::require bd "create_bd_intf_port before create_bd_design"
        set o [::qnn::options $args {-mode 1 -vlnv 1}]
        lassign [::qnn::positional $o 1] name
        if {[info exists ::qnn::ports($name)]} { ::qnn::fail "port $name exists" }
        set mode [dict get $o -mode]
        if {$mode ni {Master Slave}} { ::qnn::fail "bad -mode $mode" }
        set ::qnn::ports($name) intf_port
        ::qnn::record create_bd_intf_port $mode [dict get $o -vlnv] $name
        return [::qnn::handle intf_port $name]
    }
    proc ::get_bd_ports {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] name
        if {![info exists ::qnn::ports($name)] || $::qnn::ports($name) ne "port"} {
            ::qnn::fail "no port $name"
        }
        return [::qnn::handle port $name]
    }
    proc ::get_bd_intf_ports {args} {
        lassign [::qnn::positional [::qnn::options $args {-quiet 0}] 1] name
        if {![info exists ::qnn::ports($name)] || $::qnn::ports($name) ne "intf_port"} {
            ::qnn::fail "no interface port $name"
        }
        return [::qnn::handle intf_port $name]
    }
    proc ::connect_bd_net {args} {
        set ends [::qnn::positional [::qnn::options $args {}] 2]
        set objs [::qnn::resolve $ends {pin port}]
        ::qnn::record connect_bd_net {*}[concat {*}$objs]
    }
    proc ::connect_bd_intf_net {args} {
        set ends [::qnn::positional [::qnn::options $args {}] 2]
        set objs [::qnn::resolve $ends {intf_pin intf_port}]
        foreach obj $objs {
            if {[info exists ::qnn::used_intf($obj)]} {
                ::qnn::fail "[lindex $obj 1] is already connected"
            }
            set ::qnn::used_intf($obj) 1
        }
        ::qnn::record connect_bd_intf_net {*}[concat {*}$objs]
    }
    proc ::validate_bd_design {args} {
        ::qnn::require bd "validate_bd_design before create_bd_design"
        set ::qnn::state(validated) 1
        ::qnn::record validate_bd_design
    }
    proc ::save_bd_design {args} {
        ::qnn::require validated "save_bd_design before validate_bd_design"
        set ::qnn::state(saved) 1
        ::qnn::record save_bd_design
    }
    proc ::get_files {args} {
        set o [::qnn::options $args {-quiet 0 -all 0 -of_objects 1}]
        lassign [::qnn::positional $o 1] name
        ::qnn::require bd "get_files before create_bd_design"
        if {[dict exists $o -of_objects]} {
            lassign [lindex [::qnn::resolve [dict get $o -of_objects] file] 0] - parent
            ::qnn::require validated "get_files -of_objects $parent before validate_bd_design"
            return [::qnn::handle generated "$parent/$name"]
        }
        if {$name ne "$::qnn::state(bd).bd"} { ::qnn::fail "no file $name" }
        return [::qnn::handle file $name]
    }
    proc ::make_wrapper {args} {
        ::qnn::require saved "make_wrapper before save_bd_design"
        set o [::qnn::options $args {-files 1 -top 0 -import 0 -fileset 1}]
        lassign [lindex [::qnn::resolve [dict get $o -files] file] 0] kind file
        set ::qnn::state(wrapper) "[file rootname $file]_wrapper"
        ::qnn::record make_wrapper $file [dict exists $o -top] [dict exists $o -import]
    }
    proc ::ipx::package_project {args} {
        ::qnn::require wrapper "ipx::package_project before make_wrapper"
        set o [::qnn::options $args {
            -root_dir 1 -vendor 1 -library 1 -taxonomy 1 -module 1 -import_files 0 -force 0
        }]
        ::qnn::positional $o 0
        foreach key {-root_dir -vendor -library -module} {
            if {![dict exists $o $key]} { ::qnn::fail "missing $key" }
        }
        if {[dict get $o -module] ne $::qnn::state(bd)} {
            ::qnn::fail "-module [dict get $o -module] is not the block design $::qnn::state(bd)"
        }
        set ::qnn::state(core) 1
        ::qnn::record ipx::package_project [file normalize [dict get $o -root_dir]] \
            [dict get $o -vendor] [dict get $o -library] [dict get $o -module]
    }
    proc ::ipx::current_core {args} {
        ::qnn::require core "no packaged core"
        return [::qnn::handle core current]
    }
    foreach cmd {create_xgui_files update_checksums save_core} {
        proc ::ipx::$cmd {args} [format {
            ::qnn::resolve [::qnn::positional [::qnn::options $args {}] 1] core
            ::qnn::record ipx::%1$s
        } $cmd]
    }
    proc ::set_property {args} {
        set o [::qnn::options $args {-dict 1 -quiet 0}]
        if {[dict exists $o -dict]} {
            lassign [::qnn::positional $o 1] objects
            set pairs [dict get $o -dict]
            if {[llength $pairs] % 2} { ::qnn::fail "odd -dict list" }
        } else {
            lassign [::qnn::positional $o 3] key value objects
            set pairs [list $key $value]
        }
        foreach obj [::qnn::resolve $objects {project fileset cell port intf_port pin intf_pin core}] {
            foreach {key value} $pairs {
                ::qnn::record set_property {*}$obj $key $value
                if {$key eq "ip_repo_paths"} {
                    foreach path $value { ::qnn::record ip_repo_path [file normalize $path] }
                }
            }
        }
    }
    proc ::close_project {args} {
        ::qnn::require project "close_project without a project"
        ::qnn::record close_project
    }
}

rename file ::qnn::real_file
proc file {subcommand args} {
    if {$::qnn::tool ne "vivado" || $subcommand ni {copy mkdir delete}} {
        return [uplevel 1 [list ::qnn::real_file $subcommand {*}$args]]
    }
    set words {}
    foreach word $args {
        if {[string index $word 0] eq "-"} { continue }
        if {[info exists ::qnn::objects($word)]} {
            set word [lindex $::qnn::objects($word) 0]:[lindex $::qnn::objects($word) 1]
        }
        lappend words $word
    }
    ::qnn::record file_$subcommand {*}$words
}

namespace eval ::ipx {}
switch -- $::qnn::tool {
    vitis { ::qnn::define_vitis }
    vivado { ::qnn::define_vivado }
    default {
        puts stderr "usage: tclsh tcl_standins.tcl vivado|vitis SCRIPT RECORD"
        ::qnn::real_exit 2
    }
}

set ::argv [lrange $::argv 3 end]
set ::argc [llength $::argv]
set ::argv0 $::qnn::script
if {[catch {uplevel #0 [list source $::qnn::script]} message options]} {
    ::qnn::record error $message
    close $::qnn::out
    puts stderr "$::qnn::script: $message"
    puts stderr [dict get $options -errorinfo]
    ::qnn::real_exit 1
}
::qnn::record end
close $::qnn::out
