// The assembly's shared attributes live in Directory.Build.props; this file keeps the project non-empty until the
// middleware lands.
