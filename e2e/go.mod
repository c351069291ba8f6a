module github.com/imgproxy-go/imgproxy/e2e

go 1.26.0

replace github.com/imgproxy-go/imgproxy => ../
