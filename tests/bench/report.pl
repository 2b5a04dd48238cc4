#!/usr/bin/perl
# report.pl RAW.tsv - turns the benchmark's raw runs into its one table (Markdown) and the
# per-run figures behind it. Each RAW line: NAME <tab> RUN <tab> key=value ...
# Figures are medians over the runs; counts of non-2xx answers and errors are totals over the
# runs. Context (machine, settings) comes from BENCH_META_* in the environment.
use strict;
use warnings;

my %runs;    # name => [ {key => value} per run ]
my @order;
while (my $line = <>) {
	chomp $line;
	my ($name, $run, $kv) = split /\t/, $line, 3;
	next unless defined $kv;
	my %h = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } split / /, $kv;
	$h{run} = $run;
	if (defined $h{codes} && $h{codes} ne 'none') {
		for my $c (split /,/, $h{codes}) {
			my ($code, $n) = split /:/, $c;
			$h{"code_$code"} = $n;
		}
	}
	push @order, $name unless $runs{$name};
	push @{ $runs{$name} }, \%h;
}

sub median {
	my @v = sort { $a <=> $b } grep { defined } @_;
	return undef unless @v;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub med {
	my ($name, $key) = @_;
	return undef unless $runs{$name};
	return median(map { $_->{$key} } @{ $runs{$name} });
}

# Median of a per-run value computed by a sub.
sub med_of {
	my ($name, $f) = @_;
	return undef unless $runs{$name};
	return median(map { $f->($_) } @{ $runs{$name} });
}

sub total {
	my ($name, $f) = @_;
	my $t = 0;
	$t += $f->($_) for @{ $runs{$name} || [] };
	return $t;
}

sub n_runs { my $r = $runs{ $_[0] }; return $r ? scalar @$r : 0 }

sub rps_of { my $h = shift; return $h->{rps} // 0 }
sub confirmed_rate { my $h = shift; return ($h->{code_201} // 0) / ($h->{duration_s} || 1) }

sub fmt_rate {
	my $v = shift;
	return 'n/a' unless defined $v;
	my $s = $v >= 100 ? sprintf('%.0f', $v) : sprintf('%.1f', $v);
	1 while $s =~ s/^(\d+)(\d{3})/$1,$2/;
	return $s;
}
sub fmt_ms  { my $v = shift; return defined $v ? sprintf('%.1f ms', $v) : 'n/a' }
sub fmt_pct { my $v = shift; return defined $v ? sprintf('%.0f %%', 100 * $v) : 'n/a' }

# Non-2xx answers by status, and wrk's socket errors and timeouts, summed over the runs.
sub non2xx {
	my $name = shift;
	my (%by, $timeouts, $errors);
	$timeouts = $errors = 0;
	for my $h (@{ $runs{$name} || [] }) {
		for my $k (keys %$h) {
			next unless $k =~ /^code_(\d+)$/ && $1 !~ /^2/;
			$by{$1} += $h->{$k};
		}
		$timeouts += $h->{timeouts} // 0;
		$errors += $h->{errors} // 0;
	}
	my @p = map { "$_: " . fmt_rate($by{$_}) } sort keys %by;
	push @p, "timeouts: $timeouts" if $timeouts;
	push @p, "socket errors: $errors" if $errors;
	return @p ? join(', ', @p) : 'none';
}

sub count5xx {
	my $name = shift;
	return total($name, sub { my $h = shift; my $t = 0; $t += $h->{$_} for grep { /^code_5/ } keys %$h; $t });
}

# pgbench: clients aborted by an error, summed over the runs, with the first error seen.
my %first_error;
if ($ENV{BENCH_ERRORS_FILE} && open my $fh, '<', $ENV{BENCH_ERRORS_FILE}) {
	while (<$fh>) {
		chomp;
		my ($n, $e) = split /\t/, $_, 2;
		$first_error{$n} //= $e;
	}
}
sub pg_errs {
	my $name = shift;
	my $aborted = total($name, sub { $_[0]{aborted} // 0 });
	my $failed = total($name, sub { $_[0]{failed} // 0 });
	my @p;
	push @p, "failed transactions: $failed" if $failed;
	push @p, "clients aborted: $aborted (" . ($first_error{$name} // '?') . ')' if $aborted;
	return @p ? join(', ', @p) : 'none';
}

sub yesno { return $_[0] ? 'yes' : '**no**' }

my @rows;
sub row { push @rows, [@_] }

# pg_stat_statements after each run of a rush (tests/bench/run pgss_snapshot): NAME RUN TOPLEVEL
# CALLS TOTAL_MS ROWS QUERY per line, the daemon's role only.
my %pgss;    # name => query key => [ {calls, total_ms} per run ]
if ($ENV{BENCH_PGSS_FILE} && open my $fh, '<', $ENV{BENCH_PGSS_FILE}) {
	while (<$fh>) {
		chomp;
		my ($name, $run, $top, $calls, $ms, $nrows, $query) = split /\t/, $_, 7;
		next unless defined $query;
		my $key = ($top eq 't' ? 'top' : 'nested') . "\t$query";
		push @{ $pgss{$name}{$key} }, { run => $run, calls => $calls, ms => $ms };
	}
}

# A statement's short name: ticketd's (src/store/statements.c) where it is one of the booking
# path's, else its first words.
sub statement_label {
	my $q = shift;
	my @known = ([qr/FROM book\(/, 'book()'], [qr/book_one_line/, 'book_one_line'], [qr/^WITH f AS \(SELECT u\.id AS fan_id/, 'booking_check'],
		[qr/pg_logical_emit_message/, 'booking_by_key'],
		[qr/fan_quotas q ON/, 'booking_tiers'], [qr/FROM sessions s JOIN users u/, 'session_find'],
		[qr/UPDATE sessions SET last_seen_at/, 'session_touch']);
	for my $k (@known) {
		return $k->[1] if $q =~ $k->[0];
	}
	(my $short = $q) =~ s/^(.{70}).+$/$1…/;
	$short =~ s/\|/\\|/g;
	return "`$short`";
}

# The statements of rush NAME: calls per run and per confirmed booking, mean time, and each one's
# share of the time of the statements ticketd sent (medians over the runs). Nested ones (what
# book() runs, with BENCH_PG_STAT_STATEMENTS=all) are shares of the same total, so they overlap
# the top-level line that ran them.
sub print_statements {
	my $name = shift;
	my $by = $pgss{$name} or return;
	my $n = n_runs($name) || 1;
	my $booked = med_of($name, sub { $_[0]{code_201} // 0 }) || 1;
	my %med;
	for my $key (keys %$by) {
		my @r = @{ $by->{$key} };
		push @r, ({ calls => 0, ms => 0 }) x ($n - @r) if @r < $n;
		$med{$key} = { calls => median(map { $_->{calls} } @r), ms => median(map { $_->{ms} } @r) };
	}
	my $top = 0;
	$top += $med{$_}{ms} for grep { /^top\t/ } keys %med;
	return unless $top > 0;
	print "- PostgreSQL time per statement in $name (pg_stat_statements, track=", ($ENV{BENCH_META_PGSS} // '?'),
	    ", the daemon's role, medians of $n run(s)):\n\n";
	print "  | statement | level | calls | per booking | mean | share of top-level time |\n";
	print "  |---|---|---|---|---|---|\n";
	for my $key (sort { $med{$b}{ms} <=> $med{$a}{ms} } keys %med) {
		my ($level, $query) = split /\t/, $key, 2;
		my $m = $med{$key};
		next unless $m->{calls} > 0 && $m->{ms} / $top >= 0.001;
		printf "  | %s | %s | %s | %.2f | %.3f ms | %.1f %% |\n", statement_label($query), $level,
		    fmt_rate($m->{calls}), $m->{calls} / $booked, $m->{ms} / $m->{calls}, 100 * $m->{ms} / $top;
	}
	printf "\n  Top-level statements: %.0f ms of PostgreSQL execution per run, %.3f ms per confirmed booking.\n",
	    $top, $top / $booked;
}

my $N = (sort { $b <=> $a } map { n_runs($_) } keys %runs)[0] || 1;
my $pg_ceiling = med('pg_insert', 'rps');
my $trivial = med('fcgi_trivial', 'rps');

# 1. Ceilings
row('Ceiling: pgbench durable insert-only (1 row per commit)', 32, fmt_rate($pg_ceiling) . ' tps',
	'avg ' . fmt_ms(med('pg_insert', 'lat_ms')), '', pg_errs('pg_insert'), '', '', '');
row('Ceiling: nginx, tiny static file', 64, fmt_rate(med('static', 'rps')) . ' req/s',
	fmt_ms(med('static', 'p50_ms')), fmt_ms(med('static', 'p99_ms')), non2xx('static'), '', '', '');
row('Ceiling: nginx → trivial libfcgi responder', 64, fmt_rate($trivial) . ' req/s',
	fmt_ms(med('fcgi_trivial', 'p50_ms')), fmt_ms(med('fcgi_trivial', 'p99_ms')), non2xx('fcgi_trivial'), '', '', '');

# 2. Availability
if ($runs{avail}) {
	my $r = med('avail', 'rps');
	my $p99 = med('avail', 'p99_ms');
	my $ratio = $trivial ? $r / $trivial : undef;
	row('Availability reads (GET /api/concerts/:id/availability)', 64, fmt_rate($r) . ' req/s',
		fmt_ms(med('avail', 'p50_ms')), fmt_ms($p99), non2xx('avail'),
		fmt_pct($ratio) . ' of trivial FastCGI', '≥ 60 %, p99 ≤ 15 ms',
		yesno(defined $ratio && $ratio >= 0.6 && $p99 <= 15));
}
my $static = med('static', 'rps');
if ($runs{avail_cached}) {
	my $r = med('avail_cached', 'rps');
	my $p99 = med('avail_cached', 'p99_ms');
	my $share = $static ? $r / $static : undef;
	row('Availability from the shipped 1 s microcache (conf/microcache.conf)', 64, fmt_rate($r) . ' req/s',
		fmt_ms(med('avail_cached', 'p50_ms')), fmt_ms($p99), non2xx('avail_cached'),
		fmt_pct($share) . ' of nginx static; ' . fmt_pct($trivial ? $r / $trivial : undef) . ' of trivial FastCGI',
		'≥ 50 % of static, p99 ≤ 20 ms', yesno(defined $share && $share >= 0.5 && $p99 <= 20));
}

# 2b. The home page as the catalogue grows: one page of 20, whatever the catalogue's size.
my $catalogue = $ENV{BENCH_META_CATALOGUE} // '?';
if ($runs{list}) {
	my $r = med('list', 'rps');
	row("Home page listing (GET /api/concerts, first page of 20), $catalogue concerts listed, from ticketd", 16,
		fmt_rate($r) . ' req/s', fmt_ms(med('list', 'p50_ms')), fmt_ms(med('list', 'p99_ms')), non2xx('list'),
		fmt_pct($trivial ? $r / $trivial : undef) . ' of trivial FastCGI', '≥ 5,000 req/s', yesno($r >= 5000));
}
if ($runs{list_cached}) {
	my $r = med('list_cached', 'rps');
	row("Home page listing, $catalogue concerts, from the shipped microcache", 16, fmt_rate($r) . ' req/s',
		fmt_ms(med('list_cached', 'p50_ms')), fmt_ms(med('list_cached', 'p99_ms')), non2xx('list_cached'),
		fmt_pct($static ? $r / $static : undef) . ' of nginx static', '≥ 5,000 req/s', yesno($r >= 5000));
}
if ($runs{pg_list_page} && $runs{pg_list_all}) {
	my $page = med('pg_list_page', 'rps');
	my $all = med('pg_list_all', 'rps');
	row("pgbench: the listing statement, one page of 20 of $catalogue concerts", 16, fmt_rate($page) . ' tps',
		'avg ' . fmt_ms(med('pg_list_page', 'lat_ms')), '', pg_errs('pg_list_page'),
		sprintf('%.0f× the whole listing', $all ? $page / $all : 0), '', '');
	row("pgbench: the listing statement before paging, all $catalogue concerts", 16, fmt_rate($all) . ' tps',
		'avg ' . fmt_ms(med('pg_list_all', 'lat_ms')), '', pg_errs('pg_list_all'), '', '', '');
}

# 3. Rush at 0 ms
for my $c (64, 256) {
	my $name = "rush0_$c";
	next unless $runs{$name};
	my $rate = med_of($name, \&confirmed_rate);
	my $p99 = med($name, 'p99_ms');
	my $ratio = $pg_ceiling ? $rate / $pg_ceiling : undef;
	my $five = count5xx($name);
	my ($target, $ok);
	if ($c == 64) {
		$target = 'p99 ≤ 50 ms; ≥ 60 % of pgbench; 0 5xx';
		$ok = $p99 <= 50 && defined $ratio && $ratio >= 0.6 && $five == 0;
	} else {
		$target = '≥ 2,500/s; p99 ≤ 150 ms; ≥ 60 % of pgbench; 0 5xx';
		$ok = $rate >= 2500 && $p99 <= 150 && defined $ratio && $ratio >= 0.6 && $five == 0;
	}
	row("Hot-tier rush, payment 0 ms (1-4 tickets, fresh key)", $c, fmt_rate($rate) . ' confirmed/s',
		fmt_ms(med($name, 'p50_ms')), fmt_ms($p99), non2xx($name),
		fmt_pct($ratio) . ' of pgbench insert', $target, yesno($ok));
}

# 3b. The same rush while the box office watches its dashboard every second
if ($runs{rush0_64_dash} && $runs{dashboard_poll}) {
	my $rate = med_of('rush0_64_dash', \&confirmed_rate);
	my $plain = $runs{rush0_64} ? med_of('rush0_64', \&confirmed_rate) : undef;
	my $bad = total('dashboard_poll', sub { $_[0]{non200} // 0 });
	row('Hot-tier rush, payment 0 ms, sales dashboard read every second', 64,
		fmt_rate($rate) . ' confirmed/s', fmt_ms(med('rush0_64_dash', 'p50_ms')),
		fmt_ms(med('rush0_64_dash', 'p99_ms')), non2xx('rush0_64_dash'),
		(defined $plain && $plain ? fmt_pct($rate / $plain) . ' of the rush without it; ' : '')
		    . 'dashboard p50 ' . fmt_ms(med('dashboard_poll', 'p50_ms')) . ', p99 '
		    . fmt_ms(med('dashboard_poll', 'p99_ms')) . ", $bad non-200",
		'dashboard p99 ≤ 100 ms; rush ≥ 90 % of without', yesno(med('dashboard_poll', 'p99_ms') <= 100
		    && $bad == 0 && (!defined $plain || !$plain || $rate / $plain >= 0.9)));
}

# Prepared statements against unnamed ones (DB_PREPARED_STATEMENTS=off, behind a transaction
# pooler), each figure divided by its prepared twin of the same rounds.
for my $pair (['avail_unnamed', 'avail', 'Availability, unnamed statements', \&rps_of, 'req/s'],
	['rush0_64_unnamed', 'rush0_64', 'Hot-tier rush 0 ms, unnamed statements', \&confirmed_rate, 'confirmed/s']) {
	my ($name, $base, $what, $f, $unit) = @$pair;
	next unless $runs{$name};
	my $rate = med_of($name, $f);
	my $prepared = $runs{$base} ? med_of($base, $f) : undef;
	row($what, 64, fmt_rate($rate) . " $unit", fmt_ms(med($name, 'p50_ms')), fmt_ms(med($name, 'p99_ms')),
		non2xx($name), fmt_pct($prepared ? $rate / $prepared : undef) . ' of prepared', 'the cost of a pooler',
		'-');
}

# 4. Rush at 100 ms
if ($runs{rush100_64}) {
	my $rate = med_of('rush100_64', \&confirmed_rate);
	my $p99 = med('rush100_64', 'p99_ms');
	my $ratio = $rate / 640;
	my $timeouts = total('rush100_64', sub { $_[0]{timeouts} // 0 });
	row('Hot-tier rush, payment 100 ms', 64, fmt_rate($rate) . ' confirmed/s',
		fmt_ms(med('rush100_64', 'p50_ms')), fmt_ms($p99), non2xx('rush100_64'),
		fmt_pct($ratio) . ' of 64 / 0.1 s = 640/s', '≥ 90 % (576/s); p99 ≤ 150 ms; 0 timeouts',
		yesno($ratio >= 0.9 && $p99 <= 150 && $timeouts == 0 && count5xx('rush100_64') == 0));
}

# 5. Sell-out
if ($runs{sellout} && $runs{sellout_db}) {
	my $secs = med_of('sellout', sub { defined $_[0]{soldout_ms} ? $_[0]{soldout_ms} / 1000 : $_[0]{duration_s} });
	my $not_out = grep { !defined $_->{soldout_ms} } @{ $runs{sellout} };
	my $oversold = 0;
	my $viol = 0;
	my $unsold = 0;
	for my $h (@{ $runs{sellout_db} }) {
		$oversold = $h->{oversold} if $h->{oversold} > $oversold;
		$viol = $h->{violations} if $h->{violations} > $viol;
		$unsold = $h->{available} if $h->{available} > $unsold;
	}
	my $p99_409 = med('sellout_db', 'p99');
	my $five = count5xx('sellout');
	my $rate = med_of('sellout', sub {
		my $h = shift;
		return ($h->{code_201} // 0) / ($h->{soldout_ms} ? $h->{soldout_ms} / 1000 : $h->{duration_s} || 1);
	});
	row('Sell-out: 10,000 tickets, payment 0 ms, until sold out', 256,
		($unsold || $not_out
			? sprintf('**not sold out** (no "sold out" answer) in %d of %d runs of %.0f s; %d tickets left in the worst run',
				$not_out, n_runs('sellout'), $secs, $unsold)
			: sprintf('%.2f s to sell out (%s confirmed/s)', $secs, fmt_rate($rate)))
		    . sprintf('; oversold %d; invariant violations %d', $oversold, $viol),
		fmt_ms(med('sellout', 'p50_ms')), fmt_ms(med('sellout', 'p99_ms')) . ' (409s: ' . fmt_ms($p99_409) . ')',
		non2xx('sellout'), '', 'oversold 0; 5xx 0; p99 of 409s ≤ 20 ms',
		yesno($oversold == 0 && $viol == 0 && $five == 0 && $unsold == 0 && !$not_out && $p99_409 <= 20));
}

# 6. Locking patterns in pgbench
if ($runs{pg_ours}) {
	my $seed = med('pg_seed', 'rps');
	my $ours = med('pg_ours', 'rps');
	row('pgbench: the seed\'s pattern (FOR UPDATE, update, insert, update, commit; 1 tier row)', 32,
		fmt_rate($seed) . ' tps', 'avg ' . fmt_ms(med('pg_seed', 'lat_ms')), '', pg_errs('pg_seed'), '', '', '')
	    if $runs{pg_seed};
	if ($runs{pg_seed_pay}) {
		row('pgbench: the seed\'s pattern with its 100 ms payment inside the lock', 32,
			fmt_rate(med('pg_seed_pay', 'rps')) . ' tps', 'avg ' . fmt_ms(med('pg_seed_pay', 'lat_ms')),
			'', pg_errs('pg_seed_pay'), '', '', '');
	}
	row('pgbench: ours, one book() call (64 buckets)', 32, fmt_rate($ours) . ' tps',
		'avg ' . fmt_ms(med('pg_ours', 'lat_ms')), '', pg_errs('pg_ours'),
		($seed ? sprintf('%.1f× the seed; ', $ours / $seed) : '')
		    . fmt_pct($pg_ceiling ? $ours / $pg_ceiling : undef) . ' of insert ceiling', '', '');
}

# 7. The next lever, measured before it is built: bookings per statement. PostgreSQL's CPU per
# booking is the postmaster's tree over the run divided by the bookings (n per transaction).
my %per_txn = (pg_one_line => 1, pg_one_line1 => 1, pg_batch4 => 4, pg_batch16 => 16);
my $cpu_per_booking = sub {
	my $name = shift;
	return med_of($name, sub { defined $_[0]{cpu_pg} ? $_[0]{cpu_pg} / $per_txn{$name} : undef });
};
my $one_cpu = $runs{pg_one_line} ? $cpu_per_booking->('pg_one_line') : undef;
for my $r (['pg_one_line', 16, 'pgbench: the one statement ticketd sends after a payment (book_one_line), one booking each'],
	['pg_one_line1', 1, 'pgbench: the one statement, one client (no other booking in flight)'],
	['pg_batch4', 4, 'pgbench: a candidate statement writing 4 bookings of the tier at once (batch.sql)'],
	['pg_batch16', 1, 'pgbench: the candidate writing 16 bookings at once']) {
	my ($name, $clients, $label) = @$r;
	next unless $runs{$name};
	my $cpu = $cpu_per_booking->($name);
	my $ratio = sprintf('PostgreSQL %.3f ms of CPU a booking', $cpu // 0);
	$ratio .= sprintf(' (%.1f× less than the one statement at 16)', $one_cpu / $cpu)
	    if $name =~ /batch/ && $one_cpu && $cpu;
	row($label, $clients, fmt_rate(med($name, 'rps') * $per_txn{$name}) . ' bookings/s',
		'avg ' . fmt_ms(med($name, 'lat_ms')), '', pg_errs($name), $ratio, '', '');
}

# --- output -----------------------------------------------------------------------------------
my $m = sub { $ENV{"BENCH_META_$_[0]"} // '?' };
print "# ticketd on-sale rush benchmark — ", $m->('DATE'), " on ", $m->('HOST'), "\n\n";
print "Quick smoke run (1 short run each): not a measurement.\n\n" if $m->('QUICK') eq '1';
printf "Medians of %d run(s) of %s s each, interleaved round by round with the ceilings they are " .
    "divided by (same invocation, same background load); counts of non-2xx answers are totals over " .
    "all runs. Latencies are wrk's (client side), except the sell-out's p99 of the 409 answers " .
    "(nginx's request_time from the access log). wrk (2 threads) runs on the same 2 cores.\n\n",
    $N, $m->('DURATION');

my @head = ('Measurement', 'Clients', 'Result (median)', 'p50', 'p99', 'Non-2xx / errors (all runs)',
	'Ratio', 'Target', 'Holds');
print '| ', join(' | ', @head), " |\n";
print '|', join('|', map { '---' } @head), "|\n";
for my $r (@rows) {
	print '| ', join(' | ', map { $_ eq '' ? '' : $_ } @$r), " |\n";
}

print "\n";
print "- commit: ", $m->('COMMIT'), "\n";
print "- machine: ", $m->('CPU'), "; load average at the end ", $m->('LOAD'), "\n";
print "- ", $m->('PG'), "\n";
print "- ticketd: ", $m->('DAEMON'), "; PAYMENT_DECLINE_RATE=0; nginx rate limiting off\n";
print "- nginx: ", $m->('NGINX'), "\n";
# Where the CPU goes: per answered request, medians over the runs. With the cores given, the
# CPU alone caps a measurement at cores × 1000 / total requests per second.
my $ncpu = $ENV{BENCH_META_NCPU} || 2;
my @cpu_lines;
my %label = (static => 'static ceiling', fcgi_trivial => 'trivial FastCGI ceiling', avail => 'availability',
	avail_cached => 'availability, microcached', rush0_64 => 'rush 0 ms, 64', rush0_256 => 'rush 0 ms, 256',
	rush100_64 => 'rush 100 ms, 64', sellout => 'sell-out', list => 'listing, page 1',
	list_cached => 'listing, microcached');
for my $name (qw(static fcgi_trivial avail avail_cached list list_cached rush0_64 rush0_256 rush100_64 sellout)) {
	next unless $runs{$name} && defined $runs{$name}[0]{cpu_pg};
	my @parts;
	my $total = 0;
	for my $c ([cpu_pg => 'PostgreSQL'], [cpu_ticketd => 'ticketd'], [cpu_nginx => 'nginx'],
		[cpu_ceil_nginx => 'nginx'], [cpu_trivial => 'trivial FastCGI'], [cpu_wrk => 'wrk']) {
		my $v = med($name, $c->[0]);
		next unless defined $v && $v >= 0.005;
		$total += $v;
		push @parts, sprintf('%s %.3f', $c->[1], $v);
	}
	next unless $total > 0;
	push @cpu_lines, sprintf('  - %s: %s = %.3f ms → %s req/s if CPU were the only limit',
		$label{$name}, join(' + ', @parts), $total, fmt_rate($ncpu * 1000 / $total));
}
if (@cpu_lines) {
	print "- CPU per answered request (ms of CPU time, medians; other tenants' load not included):\n";
	print "$_\n" for @cpu_lines;
}
print "- rows of the invariant views at the end (inventory / fan quotas / references): ", $m->('VIOLATIONS'), "\n";
print_statements($_) for qw(rush0_64 rush100_64);
print "- wall time of the measurements: ", $m->('ELAPSED'), " s\n";
if ($ENV{BENCH_PG_ERRORS_FILE} && -s $ENV{BENCH_PG_ERRORS_FILE} && open my $fh, '<', $ENV{BENCH_PG_ERRORS_FILE}) {
	print "- PostgreSQL errors during the benchmark (count, message):\n";
	print "  - $_" while <$fh>;
}
print "- rerun: `deploy/bench` (full), `deploy/bench --quick` (smoke)\n";

print "\n<details><summary>Every run</summary>\n\n```\n";
for my $name (@order) {
	for my $h (@{ $runs{$name} }) {
		my @kv = map { "$_=$h->{$_}" } grep { $_ ne 'run' && !/^code_/ } sort keys %$h;
		printf "%-12s %s  %s\n", $name, $h->{run}, join(' ', @kv);
	}
}
print "```\n\n</details>\n";
